import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
await setupBackend('wasm');
const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
console.log('logsoftmax', await tf.logSoftmax(a).data());
console.log('onehot', await tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3, 1, 0, 'float32').data());
console.log('onehot default', await tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3).data());
console.log('sum', await a.sum().data(), await a.sum().div(tf.scalar(2).maximum(1)).data());
console.log('max1', await tf.scalar(2).maximum(1).data());
