import type { LiveMessage, LiveMessages, LiveRole } from '../../../src/incident/live-messages.js';

/** Live messages in memory, per incident, in the order they were kept; keeping one twice is harmless. */
export class MemoryLiveMessages implements LiveMessages {
  readonly kept = new Map<string, LiveMessage[]>();

  async list(incidentId: string, role: LiveRole): Promise<LiveMessage[]> {
    return (this.kept.get(incidentId) ?? []).filter((m) => m.role === role);
  }

  async keep(incidentId: string, message: LiveMessage): Promise<void> {
    const all = this.kept.get(incidentId) ?? [];
    if (!all.some((m) => m.channel === message.channel && m.ts === message.ts)) all.push(message);
    this.kept.set(incidentId, all);
  }

  async drop(incidentId: string, channel: string, ts: string): Promise<void> {
    const all = this.kept.get(incidentId) ?? [];
    this.kept.set(
      incidentId,
      all.filter((m) => !(m.channel === channel && m.ts === ts)),
    );
  }
}
