import { describe, expect, it } from 'vitest';

import { throwIfCancelled } from '../../src/core/errors';
import { cancelJob, runJob } from '../../src/ui/actions/jobs';
import { useStore } from '../../src/ui/store';

describe('runJob cancel status', () => {
  it('uses describeCancelled after Cancel', async () => {
    const pending = runJob(
      'Loading',
      async ({ signal }) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        throwIfCancelled(signal);
        return 1;
      },
      { describeCancelled: () => 'Stopped between steps.' },
    );
    cancelJob();
    expect(await pending).toBeUndefined();
    expect(useStore.getState().status).toBe('Stopped between steps.');
    expect(useStore.getState().statusKind).toBe('cancelled');
    expect(useStore.getState().job).toBeUndefined();
  });

  it('keeps the default cancel status', async () => {
    const pending = runJob('Analysing the model', async ({ signal }) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throwIfCancelled(signal);
    });
    cancelJob();
    await pending;
    expect(useStore.getState().status).toBe('Cancelled: analysing the model was stopped; earlier results are kept.');
  });
});

describe('runJob and the error banner', () => {
  it('dismisses an earlier failure after a success, and keeps it after a cancel', async () => {
    useStore.getState().showError('Ratios: "" is invalid.');
    const cancelled = runJob('Sweeping', async ({ signal }) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throwIfCancelled(signal);
    });
    cancelJob();
    await cancelled;
    expect(useStore.getState().error).toBe('Ratios: "" is invalid.');

    expect(await runJob('Sweeping', async () => 2)).toBe(2);
    expect(useStore.getState().error).toBeUndefined();
  });

  it('keeps a failure that the job itself reported', async () => {
    expect(await runJob('Pruning', async () => Promise.reject(new Error('boom')))).toBeUndefined();
    expect(useStore.getState().error).toContain('boom');
    useStore.getState().dismissError();
  });
});
