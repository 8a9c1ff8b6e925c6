import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler comparing frames with vitest's deep equality (typed arrays included). */
export const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
