import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, model as subModel, type LayersModel } from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { COLOUR_DIMS, colourHistogram } from './colour-histogram';
import { decodeToRgbSquare, type DecodeLimits } from './decode-image';
import { l2Normalize } from './vectors';

/**
 * The image model: MobileNetV2 as shipped inside the `nsfwjs` npm package (weights base64-encoded
 * in its `dist/models/mobilenet_v2/*.min.js`, 3.5 MB), so nothing is downloaded at run time. Its
 * head was fine-tuned to NSFW classes, so we read an earlier, more generic layer: the output of
 * the last inverted-residual block (`block_15_add`, 7 × 7 × 160 at 224 px), pooled over the grid
 * with generalized mean pooling (GeM, p = 3), which weighs strong local features (a collar, a
 * heel) more than a plain average. On Fashion-MNIST this beat the 1280-d pooled output, other
 * blocks, mean and max pooling (docs/search.md, "Search by image").
 *
 * Those features hardly tell a red dress from a blue one, so a hue histogram of the product
 * (background left out; colour-histogram.ts) is appended: each part is unit length and weighted,
 * so the cosine of two vectors is `0.8 · cos(features) + 0.2 · cos(colours)`. Greys share one
 * bin, so the colour part cannot reorder grey pictures (the Fashion-MNIST benchmark is grey: it
 * measures the features alone). The weight is a judgement, not a measurement: no labelled colour
 * set ships on npm.
 */
export const IMAGE_MODEL = {
  /** Stored with every vector; a new id means new vectors (a new index, see image-vector-store.ts). */
  id: 'nsfwjs-4.4.0/mobilenet_v2/block_15_add/224/gem3+hue13@0.2',
  layer: 'block_15_add',
  inputSize: 224,
  featureDims: 160,
  colourWeight: 0.2,
  dims: 160 + COLOUR_DIMS,
} as const;

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };
export const IMAGE_DECODE_LIMITS = Symbol('IMAGE_DECODE_LIMITS');

interface ModelArtifactsModule {
  modelJson: () => Promise<{ default: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] } }>;
  weightBundles: (() => Promise<{ default: string }>)[];
}

/**
 * Image bytes → L2-normalised embedding (Float32Array of IMAGE_MODEL.dims). Runs TensorFlow.js on
 * its WebAssembly backend (the .wasm ships in @tensorflow/tfjs-backend-wasm): about 70 ms per
 * image on one core, against about 1 s on the pure-JS backend. Inference is synchronous on the
 * event loop; one image at a time is what a request or a catalog message needs.
 */
@Injectable()
export class ImageEmbedder {
  private readonly log = new Logger(ImageEmbedder.name);
  private model?: Promise<LayersModel>;

  constructor(@Optional() @Inject(IMAGE_DECODE_LIMITS) private readonly limits: DecodeLimits = DEFAULT_DECODE_LIMITS) {}

  /** Loads the model once (about 3 s); later calls share it. */
  ready(): Promise<LayersModel> {
    this.model ??= this.load().catch((e: unknown) => {
      this.model = undefined; // a later call tries again
      throw e;
    });
    return this.model;
  }

  /** Decodes, resizes and embeds; throws ImageRejectedError (400/413/415) for bytes that are not a usable image. */
  async embed(bytes: Uint8Array): Promise<Float32Array> {
    const [model, rgb] = await Promise.all([this.ready(), decodeToRgbSquare(bytes, IMAGE_MODEL.inputSize, this.limits)]);
    return this.embedRgb(model, rgb);
  }

  private embedRgb(model: LayersModel, rgb: Uint8Array): Float32Array {
    const size = IMAGE_MODEL.inputSize;
    const pooled = tf.tidy(() => {
      // The model was trained on pixels scaled to [0, 1] (nsfwjs divides by 255).
      const input = tf.div(tf.cast(tf.tensor4d(rgb, [1, size, size, 3], 'int32'), 'float32'), 255);
      const features = model.predict(input) as tf.Tensor4D;
      // GeM: (mean of x³)^(1/3) over the grid, on the positive part (the block output is linear).
      return tf.pow(tf.mean(tf.pow(tf.relu(features), 3), [1, 2]), 1 / 3);
    });
    try {
      const features = l2Normalize(Float32Array.from(pooled.dataSync()));
      const v = new Float32Array(IMAGE_MODEL.dims);
      const wf = Math.sqrt(1 - IMAGE_MODEL.colourWeight);
      const wc = Math.sqrt(IMAGE_MODEL.colourWeight);
      features.forEach((x, i) => (v[i] = wf * x));
      colourHistogram(rgb).forEach((x, i) => (v[IMAGE_MODEL.featureDims + i] = wc * x));
      // Unit length again when a part is all zeros (a blank picture has no colours, maybe no
      // features); k-NN refuses a zero vector for cosine, so that one gets a fixed direction.
      l2Normalize(v);
      if (!v.some((x) => x !== 0)) v.fill(1 / Math.sqrt(v.length));
      return v;
    } finally {
      pooled.dispose();
    }
  }

  private async load(): Promise<LayersModel> {
    const started = Date.now();
    if (tf.getBackend() !== 'wasm') {
      if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js wasm backend failed to initialise');
    }
    await tf.ready();
    // The package's own loaders: they require() the bundled model files from node_modules.
    const artifacts = require('nsfwjs/models/mobilenet_v2').MobileNetV2Model as ModelArtifactsModule;
    const json = (await artifacts.modelJson()).default;
    const shards = await Promise.all(artifacts.weightBundles.map(async (load) => Buffer.from((await load()).default, 'base64')));
    const weights = Buffer.concat(shards);
    const full = await loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const model = subModel({ inputs: full.inputs, outputs: full.getLayer(IMAGE_MODEL.layer).output });
    const dims = model.outputs[0].shape[3];
    if (dims !== IMAGE_MODEL.featureDims) throw new Error(`image model layer ${IMAGE_MODEL.layer} has ${dims} channels, expected ${IMAGE_MODEL.featureDims}`);
    // One warm-up run: the first inference allocates and is several times slower.
    this.embedRgb(model, new Uint8Array(IMAGE_MODEL.inputSize * IMAGE_MODEL.inputSize * 3));
    this.log.log(`image model ${IMAGE_MODEL.id} ready in ${Date.now() - started} ms (backend ${tf.getBackend()})`);
    return model;
  }
}
