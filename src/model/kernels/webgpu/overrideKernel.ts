import * as tf from '@tensorflow/tfjs';

/**
 * A replacement for one of tfjs's webgpu kernels that can hand calls back to the stock kernel:
 * `register` installs `wrap(stock)` in its place (idempotent; false when the webgpu backend is not
 * loaded, so there is no kernel to replace) and `unregister` puts the stock kernel back.
 */
export function overrideKernel(name: string, wrap: (stock: tf.KernelFunc) => tf.KernelFunc): { register(): boolean; unregister(): void } {
  let stock: tf.KernelConfig | null = null;
  return {
    register() {
      if (stock) return true;
      const cfg = tf.getKernel(name, 'webgpu');
      if (!cfg) return false;
      stock = cfg;
      tf.unregisterKernel(name, 'webgpu');
      tf.registerKernel({ ...cfg, kernelFunc: wrap(cfg.kernelFunc) });
      return true;
    },
    unregister() {
      if (!stock) return;
      tf.unregisterKernel(name, 'webgpu');
      tf.registerKernel(stock);
      stock = null;
    },
  };
}
