import { SeatctlError } from '../../src/errors/index.js';
import type { OwnershipReadBack } from '../../src/console/console-driver-spec.js';
import { normalizeEmail, type AppUser } from '../../src/model/index.js';
import { openPeople, readMembers, type Ctx } from './people.js';

/** "5 documents" in the member page's Owned documents section. */
async function ownedCount(ctx: Ctx): Promise<number> {
  const text = await (await ctx.find('ownedDocuments')).innerText();
  const match = /(\d+)\s+documents?\b/i.exec(text);
  if (!match) throw new SeatctlError('LOCATOR_NOT_FOUND', `${ctx.app}: the Owned documents section shows no document count`, { details: { app: ctx.app, locator: 'ownedDocuments' } });
  return Number(match[1]);
}

/**
 * People → the member → Transfer ownership → Select new owner → Transfer, then the
 * count read back on the same page. The new owner is checked against the picker before
 * anything is chosen: someone who is not an active member is USER_NOT_FOUND, a member
 * the picker offers but disables (an account type that cannot own documents) is
 * RULE_REFUSED, both naming the email.
 */
export async function transferDocuments(ctx: Ctx, user: AppUser, toEmail: string): Promise<OwnershipReadBack> {
  if (normalizeEmail(toEmail) === normalizeEmail(user.email)) {
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: cannot hand ${user.email}'s documents over to ${toEmail}: the new owner must be someone else`, { details: { app: ctx.app } });
  }
  await openPeople(ctx);
  const member = (await readMembers(ctx)).find((m) => normalizeEmail(m.email) === normalizeEmail(user.email));
  if (!member) throw new SeatctlError('USER_NOT_FOUND', `${ctx.app}: ${user.email} is not a member of this Sigma organization`, { details: { app: ctx.app, email: user.email } });
  await (await ctx.find('memberLink', member.href)).click();
  const before = await ownedCount(ctx);
  await ctx.step(`before: ${user.email} owns ${before} document(s)`);

  await (await ctx.find('transferOwnership')).click();
  const picker = await ctx.find('newOwner');
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })));
  const choice = options.find((o) => o.value && normalizeEmail(o.value) === normalizeEmail(toEmail));
  if (!choice) {
    throw new SeatctlError('USER_NOT_FOUND', `${ctx.app}: new owner ${toEmail} is not an active member of this Sigma organization: ${user.email}'s documents were not handed over`, { details: { app: ctx.app, email: toEmail } });
  }
  if (choice.disabled) {
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: ${toEmail} cannot own documents (Sigma needs an account type that may create, edit and publish workbooks): ${user.email}'s documents were not handed over`, { details: { app: ctx.app, email: toEmail } });
  }
  if (before === 0) {
    // Nothing to move: the owner was still checked, so a wrong --transfer-to shows now, not next time.
    await ctx.locator('dialogCancel').click();
    return { user: member, moved: 0, remaining: 0 };
  }
  await picker.selectOption(choice.value);
  await ctx.confirm(ctx.locator('transferConfirm'), ctx.locator('dialogCancel'), `hand ${before} document(s) of ${user.email} over to ${toEmail}`);

  const shown = (await ctx.find('outcome')).first();
  const text = (await shown.innerText()).trim();
  if ((await shown.getAttribute('role')) === 'alert') {
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: the hand-over of ${user.email}'s documents to ${toEmail} was refused by the console: ${text}`, { details: { app: ctx.app, message: text } });
  }
  const remaining = await ownedCount(ctx);
  await ctx.step(`after: ${text}; ${user.email} owns ${remaining} document(s)`);
  const { href: _href, ...after } = member;
  return { user: after, moved: before - remaining, remaining };
}
