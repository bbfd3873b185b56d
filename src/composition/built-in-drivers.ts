import type { DriverRegistry } from '../drivers/definition.js';
import { bigidApiDriver } from '../drivers/bigid/bigid-driver.js';
import { sigmaApiDriver } from '../drivers/sigma/sigma-driver.js';
import { scimDriver } from '../drivers/scim/scim-driver.js';
import { billcomUiDriver } from '../../flows/billcom/driver.js';
import { stitchUiDriver } from '../../flows/stitch/driver.js';
import { sigmaUiDriver } from '../../flows/sigma/driver.js';

/**
 * Driver kinds a config's `driver` key can name. This is the composition root's job,
 * not the drivers folder's: API drivers live in src/drivers, console flows in flows/,
 * and only here are both put together (drivers never import flows).
 */
export function builtInDrivers(): DriverRegistry {
  return {
    [bigidApiDriver.name]: bigidApiDriver,
    [sigmaApiDriver.name]: sigmaApiDriver,
    [scimDriver.name]: scimDriver,
    [stitchUiDriver.name]: stitchUiDriver,
    [billcomUiDriver.name]: billcomUiDriver,
    [sigmaUiDriver.name]: sigmaUiDriver,
  };
}
