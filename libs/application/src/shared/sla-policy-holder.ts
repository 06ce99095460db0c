import type { SlaPolicy } from '@tracedesk/sla';

/** The SLA policy in force. A holder, so the policy can be replaced without restarting. */
export class SlaPolicyHolder {
  constructor(private policy: SlaPolicy) {}
  get current(): SlaPolicy {
    return this.policy;
  }
  replace(policy: SlaPolicy): void {
    this.policy = policy;
  }
}
