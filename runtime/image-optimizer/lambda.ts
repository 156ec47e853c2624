import { createImageOptimizerHandler } from './handler';

// The image optimizer's Lambda entry (bundled by the ImageOptimizer construct): the handler is
// created at module load, where the Lambda runtime looks for its streaming mark.
export const handler = createImageOptimizerHandler();
