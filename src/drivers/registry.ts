import type { DriverRegistry } from './definition.js';
import { bigidApiDriver } from './bigid/bigid-driver.js';
import { sigmaApiDriver } from './sigma/sigma-driver.js';
import { billcomUiDriver } from '../../flows/billcom/driver.js';
import { stitchUiDriver } from '../../flows/stitch/driver.js';

/** Driver kinds a config's `driver` key can name. */
export function builtInDrivers(): DriverRegistry {
  return {
    [bigidApiDriver.name]: bigidApiDriver,
    [sigmaApiDriver.name]: sigmaApiDriver,
    [stitchUiDriver.name]: stitchUiDriver,
    [billcomUiDriver.name]: billcomUiDriver,
  };
}
