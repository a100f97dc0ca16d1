/**
 * The sentences both hosts show about an administrator's policy that is invalid or could not be read, so the
 * reader and the help desk see the same words in Outlook and Thunderbird.
 */

/** An admin policy with errors: its valid fields apply, every other setting stays at its default. */
export function adminPolicyInvalidSentence(problems: readonly string[]): string {
  return (
    'Your administrator\'s policy has errors, so its valid settings apply and every other setting stays at its ' +
    `default; your own settings are set aside until it is fixed. Problems: ${problems.join('; ')}`
  );
}

/** Outlook: policy.json could not be fetched (anything but "not found"). */
export function adminPolicyUnavailableSentence(detail: string): string {
  return (
    `Your administrator's policy could not be loaded (${detail}), so no message is shown as trusted until it ` +
    'loads. Check your connection and choose "Verify again".'
  );
}
