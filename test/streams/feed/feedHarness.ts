import { Subject } from 'rxjs';
import { afterEach } from 'vitest';
import type { TrainEvent } from '../../../src/core/events.ts';
import { type FeedHandle, type FeedOptions, startFeed } from '../../../src/streams/feed/wsFeed.ts';

/**
 * Registers an afterEach that closes every feed opened in the test file, and returns `feed(opts)`:
 * a real feed on port 0 fed by a Subject the test drives.
 */
export function feedHarness(): (opts?: Partial<FeedOptions>) => Promise<{ events: Subject<TrainEvent>; f: FeedHandle }> {
  const feeds: FeedHandle[] = [];
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.close()));
  });
  return async (opts = {}) => {
    const events = new Subject<TrainEvent>();
    const f = await startFeed(events, { port: 0, ...opts });
    feeds.push(f);
    return { events, f };
  };
}
