import * as tf from '@tensorflow/tfjs';

export interface StepGuardOptions {
  /**
   * Also skip a step whose loss exceeds `spikeFactor` × the running mean of the accepted steps'
   * losses; 0 = off. Decided on the device like the finiteness test, so it adds no GPU→CPU read.
   */
  readonly spikeFactor?: number;
  /** Accepted steps before the spike test starts (the mean needs a few). @default 20 */
  readonly spikeWarmup?: number;
  /** Decay of the running mean (an exponential moving average, bias-corrected). @default 0.98 */
  readonly spikeDecay?: number;
}

/** What the guard counted, read at a log point. */
export interface GuardReading {
  /** Steps skipped since the guard was created, for any reason. */
  readonly skipped: number;
  /** Of those, steps with a non-finite loss or gradient. */
  readonly nonFinite: number;
  /** Of those, steps skipped as loss spikes. */
  readonly spikes: number;
  /** Skipped steps in a row ending at the latest step (0: the latest step was applied). */
  readonly streak: number;
  /** The longest run of skipped steps in a row seen since the previous read (a run going on at that read counts with its whole length). */
  readonly maxStreak: number;
}

// counters, one float32 vector on the device (exact integers up to 2^24)
const NON_FINITE = 0;
const SPIKES = 1;
const STREAK = 2;
const MAX_STREAK = 3;
const EMA = 4;
const ACCEPTED = 5;
const SLOTS = 6;

/**
 * Numerical guard for the training step, entirely on the device: `gate(loss, gradNorm)` returns a
 * boolean scalar — the loss and the global grad norm are finite (a finite norm means every gradient
 * element is), and, with a spike factor, the loss is not a spike — that AdamW uses to apply or skip
 * the whole update, moments included (see AdamW.apply). It also counts the skipped steps and the
 * current run of them in a small tensor that the caller reads (`read`, one GPU→CPU read) only at its
 * log points, so guarding adds no sync point.
 */
export class StepGuard {
  private readonly state: tf.Variable;
  private readonly spikeFactor: number;
  private readonly warmup: number;
  private readonly decay: number;

  constructor(o: StepGuardOptions = {}) {
    this.spikeFactor = o.spikeFactor ?? 0;
    this.warmup = o.spikeWarmup ?? 20;
    this.decay = o.spikeDecay ?? 0.98;
    this.state = tf.tidy(() => tf.variable(tf.zeros([SLOTS]), false));
  }

  /**
   * Whether this step's update may be applied (a boolean scalar, to be used inside the caller's
   * tidy), and the counters advanced accordingly. Call once per step.
   */
  gate(loss: tf.Scalar, gradNorm: tf.Scalar): tf.Scalar {
    return tf.tidy(() => {
      const s = this.state.unstack() as tf.Scalar[];
      const finite = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(gradNorm));
      let ok: tf.Tensor = finite;
      let spike: tf.Tensor = tf.scalar(false, 'bool');
      let ema = s[EMA];
      let accepted = s[ACCEPTED];
      if (this.spikeFactor > 0) {
        // bias-corrected running mean of accepted losses; the test starts after `warmup` of them
        const mean = tf.div(s[EMA], tf.sub(1, tf.pow(tf.scalar(this.decay), s[ACCEPTED])));
        const armed = tf.greaterEqual(s[ACCEPTED], this.warmup);
        spike = tf.logicalAnd(finite, tf.logicalAnd(armed, tf.greater(loss, tf.mul(mean, this.spikeFactor))));
        ok = tf.logicalAnd(finite, tf.logicalNot(spike));
        ema = tf.where(ok, tf.add(tf.mul(s[EMA], this.decay), tf.mul(loss, 1 - this.decay)), s[EMA]);
        accepted = tf.add(s[ACCEPTED], tf.cast(ok, 'float32'));
      }
      const bad = tf.cast(tf.logicalNot(ok), 'float32');
      const streak = tf.mul(tf.add(s[STREAK], 1), bad);
      const next = tf.stack([
        tf.add(s[NON_FINITE], tf.cast(tf.logicalNot(finite), 'float32')),
        tf.add(s[SPIKES], tf.cast(spike, 'float32')),
        streak,
        tf.maximum(s[MAX_STREAK], streak),
        ema,
        accepted,
      ]);
      this.state.assign(next);
      return ok as tf.Scalar;
    });
  }

  /** Reads the counters (the one GPU→CPU read; call it at log points) and restarts `maxStreak`. */
  async read(): Promise<GuardReading> {
    const snapshot = this.state.clone();
    // the next window's longest run starts from the current one
    tf.tidy(() => {
      const s = this.state.unstack();
      s[MAX_STREAK] = s[STREAK];
      this.state.assign(tf.stack(s));
    });
    const v = await snapshot.data();
    snapshot.dispose();
    return { skipped: v[NON_FINITE] + v[SPIKES], nonFinite: v[NON_FINITE], spikes: v[SPIKES], streak: v[STREAK], maxStreak: v[MAX_STREAK] };
  }

  dispose(): void {
    this.state.dispose();
  }
}
