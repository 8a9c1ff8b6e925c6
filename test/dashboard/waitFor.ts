export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Polls until `ok()` holds (a loaded CI machine renders late); fails after `ms`. */
export async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('waitFor: condition not met in time');
    await tick(10);
  }
}
