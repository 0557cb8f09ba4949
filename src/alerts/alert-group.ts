/** Alertmanager alert groups as Firebreak keeps them. No I/O here. */

export type AlertStatus = 'firing' | 'resolved';

/** One alert of a webhook delivery, already parsed at the boundary. */
export interface AlertInput {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** Null while firing (Alertmanager sends the zero time). */
  readonly endsAt: string | null;
  readonly generatorURL: string | null;
}

/** One webhook delivery: Alertmanager's view of a group right now. */
export interface GroupInput {
  readonly groupKey: string;
  readonly status: AlertStatus;
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string | null;
  readonly truncatedAlerts: number;
  readonly alerts: readonly AlertInput[];
}

/** An alert as last heard of. */
export type StoredAlert = Omit<AlertInput, 'fingerprint'>;

export type Placement = 'card' | 'digest';

/** A group as stored: its alerts by fingerprint, its incident, and where Slack shows it. */
export interface AlertGroup {
  readonly id: number;
  readonly groupKey: string;
  /** Starts again when a group that had ended fires anew: a new card, and a new incident if one is due. */
  readonly episode: number;
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly level: string | null;
  readonly title: string;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly alerts: Readonly<Record<string, StoredAlert>>;
  readonly truncated: number;
  readonly externalUrl: string | null;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly incidentId: string | null;
  readonly incidentResolved: boolean;
  readonly declareWanted: boolean;
  readonly placement: Placement | null;
  readonly digestId: number | null;
  readonly cardChannel: string | null;
  readonly cardTs: string | null;
  readonly version: number;
  readonly attempts: number;
  readonly unsure: boolean;
}

/** A line of the storm digest: enough to show and declare a group, without its alerts. */
export interface DigestLine {
  readonly id: number;
  readonly title: string;
  readonly level: string | null;
  readonly status: AlertStatus;
  readonly firing: number;
  readonly incidentId: string | null;
}

/** The storm digest as Slack shows it. */
export interface AlertDigest {
  readonly id: number;
  readonly channel: string | null;
  readonly ts: string | null;
  readonly version: number;
  readonly attempts: number;
  readonly unsure: boolean;
  readonly openedAt: Date;
  readonly lines: readonly DigestLine[];
  readonly total: number;
  readonly firing: number;
}
