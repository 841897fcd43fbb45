/**
 * Saving and loading state dicts in the safetensors format that PyTorch users load with
 * `safetensors.torch`: `serialize`/`deserialize` on bytes (anywhere), `save`/`load` on files (Node).
 *
 * @example
 * ```ts
 * save(model.stateDict(), 'model.safetensors');
 * model.loadStateDict(load('model.safetensors'));
 * ```
 */
export { serialize, deserialize, deserializeCheckpoint, type SerializeOptions } from './safetensors';
export { save, load, loadCheckpoint } from './file';
export type { Checkpoint, CheckpointValue } from './checkpoint';
