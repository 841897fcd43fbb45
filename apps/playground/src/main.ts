/**
 * The page: two tabs (Playground, MNIST) and `window.__playground`, the hook the browser tests
 * drive, which trains through the same code as the buttons.
 */
import './style.css';
import { isBackendName, type BackendName } from './backends';
import type { DatasetName } from './datasets';
import { byId } from './dom';
import { showError } from './errors';
import { MnistTab, type MnistResult } from './mnist-tab';
import { PlaygroundTab, type PlaygroundConfig, type PlaygroundResult } from './playground-tab';
import type { Activation, OptimizerName } from './trainer';

/** The tabs of the page. */
export type TabName = 'playground' | 'mnist';

/** Options of `window.__playground.train`. */
export interface TrainRequest {
  dataset: DatasetName;
  backend: BackendName;
  steps: number;
  hidden?: number[];
  activation?: Activation;
  optimizer?: OptimizerName;
  lr?: number;
  noise?: number;
  seed?: number;
  /** Examples per step; 0 (default) for the whole training set. */
  batchSize?: number;
}

/** `window.__playground`: what the browser tests call. */
export interface PlaygroundHook {
  /** Reset the Playground tab with these settings (others as they are) and train `steps` steps, as Start does. */
  train(request: TrainRequest): Promise<PlaygroundResult>;
  /** Reset the MNIST tab on `backend` and train `steps` steps. */
  trainMnist(request: { backend: BackendName; steps: number }): Promise<MnistResult>;
  /** Show a tab (pausing the other's training). */
  setTab(tab: TabName): void;
  /** The gaps between animation frames (ms) during the latest run of the shown tab. */
  frameGaps(): number[];
  /** Whether the shown tab is training. */
  isRunning(): boolean;
}

declare global {
  interface Window {
    __playground?: PlaygroundHook;
  }
}

const TRAIN_KEYS = ['dataset', 'backend', 'steps', 'hidden', 'activation', 'optimizer', 'lr', 'noise', 'seed', 'batchSize'];

function boot(): void {
  const playground = new PlaygroundTab();
  const mnist = new MnistTab();
  let shown = 'playground' as TabName;

  const setTab = (tab: TabName) => {
    if (tab !== 'playground' && tab !== 'mnist') throw new Error(`setTab: tab must be 'playground' or 'mnist', got ${JSON.stringify(tab)}`);
    shown = tab;
    for (const name of ['playground', 'mnist'] as const) {
      byId(`tab-${name}`, HTMLButtonElement).setAttribute('aria-selected', String(name === tab));
      byId(`panel-${name}`, HTMLElement).hidden = name !== tab;
    }
    if (tab === 'playground') mnist.pause();
    else playground.pause();
    history.replaceState(null, '', `#${tab}`);
  };
  byId('tab-playground', HTMLButtonElement).addEventListener('click', () => setTab('playground'));
  byId('tab-mnist', HTMLButtonElement).addEventListener('click', () => {
    setTab('mnist');
    if (!mnist.isRunning) void mnist.reset().catch(() => undefined);
  });
  setTab(location.hash === '#mnist' ? 'mnist' : 'playground');
  if (shown === 'mnist') void mnist.reset().catch(() => undefined);

  window.__playground = {
    async train(request) {
      if (!request || typeof request !== 'object') throw new Error(`__playground.train: expected { dataset, backend, steps, … }, got ${String(request)}`);
      for (const key of Object.keys(request)) if (!TRAIN_KEYS.includes(key)) throw new Error(`__playground.train: unknown option ${JSON.stringify(key)}; expected ${TRAIN_KEYS.join(', ')}`);
      const { steps, ...settings } = request;
      setTab('playground');
      const update: Partial<PlaygroundConfig> = {};
      for (const [key, value] of Object.entries(settings)) if (value !== undefined) (update as Record<string, unknown>)[key] = value;
      return playground.train(update, steps);
    },
    async trainMnist(request) {
      if (!request || !isBackendName(request.backend)) throw new Error(`__playground.trainMnist: expected { backend: 'cpu' | 'worker' | 'gpujs' | 'gpujs-webgpu', steps }, got ${JSON.stringify(request)}`);
      setTab('mnist');
      return mnist.train(request.backend, request.steps);
    },
    setTab,
    frameGaps: () => (shown === 'playground' ? playground.frames : mnist.frames).gaps(),
    isRunning: () => (shown === 'playground' ? playground.isRunning : mnist.isRunning),
  };
  void playground.reset().catch(() => undefined);
}

try {
  boot();
} catch (e) {
  showError('page', e);
}
