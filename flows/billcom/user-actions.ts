import type { FlowContext } from '../../src/console/flow-context.js';
import type { ProvisionSpec } from '../../src/drivers/driver.js';
import type { AppUser } from '../../src/model/index.js';
import type { BillcomCredentials, BillcomOptions } from './options.js';
import { findBillcomUser, outcome } from './users.js';

type Ctx = FlowContext<BillcomCredentials, BillcomOptions>;

async function openDetail(ctx: Ctx, user: AppUser): Promise<void> {
  await ctx.goto(`/settings/users/${encodeURIComponent(user.id)}`);
  await ctx.find('userHeading', user.name);
}

export async function addBillcomUser(ctx: Ctx, spec: ProvisionSpec): Promise<AppUser | null> {
  await ctx.goto('/settings/users/new');
  await (await ctx.find('firstName')).fill(spec.firstName);
  await (await ctx.find('lastName')).fill(spec.lastName);
  await (await ctx.find('email')).fill(spec.email);
  await (await ctx.find('timeZone')).selectOption(ctx.options.timeZone);
  await (await ctx.find('role')).selectOption({ label: spec.role });
  await ctx.confirm(await ctx.find('save'), ctx.locator('cancel'), `add ${spec.email} as ${spec.role}`);
  const text = await outcome(ctx, `adding ${spec.email}`);
  if (/stays Pending/.test(text)) ctx.note('Dual Control is on: the new user stays Pending until a second administrator approves');
  await ctx.step('user added');
  return findBillcomUser(ctx, spec.email);
}

export async function setBillcomRole(ctx: Ctx, user: AppUser, role: string): Promise<AppUser | null> {
  await openDetail(ctx, user);
  await ctx.step(`before: ${user.email} is ${user.role ?? 'no role'}`);
  await (await ctx.find('editRole')).click();
  await (await ctx.find('role')).selectOption({ label: role });
  await ctx.confirm(await ctx.find('saveRole'), ctx.locator('cancel'), `change role to ${role}`);
  await outcome(ctx, `changing the role of ${user.email}`);
  await ctx.step('role changed');
  return findBillcomUser(ctx, user.email);
}

export async function deactivateBillcomUser(ctx: Ctx, user: AppUser): Promise<AppUser | null> {
  await openDetail(ctx, user);
  await ctx.step(`before: ${user.email} ${user.status}`);
  await (await ctx.find('deactivateButton')).click();
  await ctx.find('confirmDialog', user.name);
  await ctx.confirm(ctx.locator('dialogConfirm', user.name), ctx.locator('dialogCancel', user.name), `confirm deactivation of ${user.name}`);
  await outcome(ctx, `deactivating ${user.email}`);
  // The banner may render just after the success message.
  if (await ctx.locator('todoBanner').first().isVisible().catch(() => false)) {
    ctx.note(`Bill.com created an admin To-Do: ${(await ctx.locator('todoBanner').first().innerText()).trim()}`);
  }
  await ctx.step('after deactivation');
  return findBillcomUser(ctx, user.email);
}

export async function reactivateBillcomUser(ctx: Ctx, user: AppUser): Promise<AppUser | null> {
  await openDetail(ctx, user);
  await ctx.step(`before: ${user.email} ${user.status}`);
  // One click, no dialog: a dry run stops before it.
  await ctx.confirm(await ctx.find('reactivateButton'), null, `reactivate ${user.email}`);
  await outcome(ctx, `reactivating ${user.email}`);
  await ctx.step('after reactivation');
  return findBillcomUser(ctx, user.email);
}
