import { Injectable } from '@nestjs/common';
import { DispatchStrategy, StepOutcome } from './dispatch-strategy';

/**
 * Batched dispatch, the step's side: nothing to do. The trip waits for the next batch window of
 * its region (`BatchWindowService`), which offers every waiting trip of the region at once.
 * A deny or a timeout runs a step that ends here too, so the trip goes into the next window.
 */
@Injectable()
export class BatchedStrategy implements DispatchStrategy {
  readonly name = 'batched' as const;

  offerNext(): Promise<StepOutcome> {
    return Promise.resolve('left-to-batch');
  }
}
