import { doorDriver } from './door-driver.js';

export default doorDriver('door-a');
