// Runs the enabled admission plugins in order: every mutating phase first, then (after the
// strategy's validation) every validating phase. The first refusal ends the request.
import type { AdmissionPlugin, AdmissionRequest } from './types.js';

export class AdmissionChain {
  private readonly mutating: AdmissionPlugin[];
  private readonly validating: AdmissionPlugin[];

  constructor(readonly plugins: AdmissionPlugin[]) {
    this.mutating = plugins.filter((p) => p.admit);
    this.validating = plugins.filter((p) => p.validate);
  }

  async admit(request: AdmissionRequest): Promise<void> {
    // on DELETE only the plugins that handle it (upstream's Handles(Delete)) are called
    for (const p of this.mutating)
      if (request.operation !== 'DELETE' || p.admitsDelete) await p.admit!(request);
  }

  async validate(request: AdmissionRequest): Promise<void> {
    for (const p of this.validating) await p.validate!(request);
  }

  static readonly empty = new AdmissionChain([]);
}
