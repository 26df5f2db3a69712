// A sweep worker process (tinypool child_process runtime): builds one configuration variant.
import { sweepOne } from './sweep.js';

export default async function run(config: string) {
  return sweepOne(config);
}
