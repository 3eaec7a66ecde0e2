// Every number a claim names, in one table: the suites' names and assertions, the checkers,
// the lint, the chaos run and the bench read it here, so "within 30 s" is said once.
// The images keep their own defaults in shell for now; model/claims.test.ts reads those
// scripts and fails when they drift from this table.

export const CLAIMS = {
  /** Clients write again within this long of losing the primary (the client clock). */
  failoverBudgetSecs: 30,
  /** A hung primary (docker pause) is noticed more slowly: each check waits connect_timeout. */
  hungPrimaryBudgetSecs: 20,
  /**
   * How long the failover suite keeps a hung primary paused: clients must write again within
   * the hung-primary budget while it is still hung, not because it woke. Three times the
   * budget, so a recovery that waited for the wake-up could not pass.
   */
  hungPrimaryHoldSecs: 60,
  /**
   * A client moves to the other router within this: a killed router can cost a new connection
   * its two silent addresses, clientTcpConnectTimeoutMs each, before the second router.
   */
  routerKillBudgetSecs: 5,
  /**
   * pgpool serves new sessions again within this after one of its children moved its main
   * node off a standby that refused it (pgpool leaves that standby up, and every new session
   * fails until a failover; the reconciler detaches it when pgpool logs the move). The
   * router-kill budget: what a client already tolerates from one router.
   */
  mainNodeRepairBudgetSecs: 5,
  /** connect_timeout in the connection string the cluster documents for applications (every driver's equivalent). */
  clientConnectTimeoutSecs: 2,
  /**
   * The clients' bound on one TCP connect (libpq tcp_user_timeout, pgx's dialer, PgJDBC
   * connectTimeout). A killed router's name still resolves for a moment to its two addresses
   * (IPv4 and IPv6), where nothing answers: libpq spent connect_timeout on each, 4 s of the
   * 5 s router-kill budget (psycopg2 5.3 s once, CI at facd44d). With this bound a silent
   * address costs 1.0 s on this kernel (the first SYN's retransmission timer).
   */
  clientTcpConnectTimeoutMs: 1000,
  /** PGHA_FENCE_AFTER_SECS: how long a cut-off or frozen primary may stay writable. */
  fenceDelaySecs: 2,
  /**
   * PGHA_PROMOTE_DELAY_SECS: the promote command waits this, so the fence lands first. With
   * one reconnect attempt repmgrd elects right after its second failed check: for a primary
   * that refuses at once that is the same moment as before minus the 1 s sleep between two
   * attempts, which this delay gives back (promotionLeadSecs); for a hung primary, whose every
   * check waits connect_timeout on each of its two addresses, it saves 3 s of checks.
   */
  promoteDelaySecs: 3,
  /**
   * PGHA_WITNESS_QUESTION_MS: the promote command's bound on the witness's answer to "do you
   * reach the primary?" (a statement timeout: dblink ignores connect_timeout). A live primary
   * answers in milliseconds; a hung one costs the whole bound, asked within the promote delay.
   */
  witnessQuestionMs: 1500,
  /**
   * PGHA_PEER_REPLY_TIMEOUT_SECS: a standby's repmgrd whose request to its upstream (the
   * primary) has gone unanswered this long has its connection ended. A hung primary accepts
   * packets and answers nothing, and a repmgrd caught mid-query by it waited forever (CI at
   * e9e982a); every second of this bound is a second more of that failover (2 s measured
   * 15.6 s to a writable primary against 13-13.7 s for a plain pause). A live primary slower
   * than this only costs repmgrd a reconnect: no failover follows while it answers pings.
   */
  peerReplyTimeoutSecs: 1,
  /** PGHA_ELECTION_GRACE_SECS: how long an election after a full stop waits for every data node. */
  electionGraceSecs: 10,
  /**
   * PGHA_ELECTION_MIN_WAIT_SECS: a former primary back from a stop waits this long before it
   * counts itself in an election, so a failover the standbys began finishes first (it took
   * 7-8 s from the stop when a redeployed primary raced it).
   */
  electionMinWaitSecs: 10,
  /** PGHA_DETACHED_STANDBY_SECS: a standby the primary has not seen streaming this long rejoins. */
  detachedStandbySecs: 30,
  /**
   * A killed old primary, started again, is a streaming standby of the new primary (the
   * cluster formed) within this. Measured 2-6 s quiet and 20.5 s with the machine's load
   * average at 25; repmgr itself gives a rejoin 20 s (REPMGR_NODE_REJOIN_TIMEOUT) and a
   * follow 10 s before it falls back to a fresh clone, which must fit too: 60 s.
   */
  rejoinBudgetSecs: 60,
  /**
   * A planned switchover stops writes for at most this (primary stopped to target
   * writable). Measured 1.6-1.9 s quiet, 3.3 s under load; a switchover that stalls past
   * 10 s is one an operator would abort.
   */
  switchoverOutageBudgetSecs: 10,
  /**
   * A standby whose data directory was wiped is cloned again and streaming within this.
   * Measured 3.7-5.0 s quiet, 13.1 s under load; the image waits up to 60 s for repmgr's
   * metadata to name the primary before it clones, so that is the bound.
   */
  recloneBudgetSecs: 60,
  /**
   * How long a data node's redeploy lets the old container stop (Railway's
   * `drainingSeconds`): PostgreSQL's fast shutdown completes well inside it, so the stop is
   * clean and the failover it starts loses nothing. The rollout sets it; the suites'
   * redeploy waits as long.
   */
  redeployDrainSecs: 30,
  /** A booted cluster is formed (repmgr, witness and both routers agree) within this. */
  formationTimeoutSecs: 90,
  /** After faults heal, the cluster forms again within this. */
  reformTimeoutSecs: 120,
  /** A standby cut off from everyone never promotes itself: watched for twice the failover budget. */
  isolatedStandbyHoldSecs: 60,
  /** No failover where none is due: several repmgrd detection cycles (a check every 1 s, one reconnect attempt). */
  noFailoverHoldSecs: 15,
  /**
   * Asynchronous replication may lose what a primary acknowledged just before it died (the
   * WAL not yet sent): a chaos run counts, and does not fail on, an acknowledged write lost
   * that the node a fault took out acknowledged no earlier than this before the fault went
   * in. Any other lost write fails, and in synchronous mode every one does. Seen: two writes
   * acknowledged 16-18 ms after `docker kill` was called, before the process died.
   */
  asyncLossWindowMs: 1000,
  /** At most this share of operations (and HTTP requests) fails before the first fault. */
  baselineMaxErrorRate: 0.01,
  /**
   * Every client of a run's load (writers, readers, router probes, the trading service's
   * sessions) has its first session within this of the load starting. The baseline is
   * measured from that moment: all clients connect at once, and on a starved machine the
   * first sessions through pgpool took longer than the workload's 1 s connect timeout.
   */
  loadReadySecs: 30,
  /** The trading service answers 503 when the database does not answer within this. */
  tradingDeadlineMs: 2000,
  /** The trading service's HTTP load, requests per second in all. */
  tradingRate: 40,
} as const;

/**
 * Passwords the modelled cluster published: an image refuses to start with one of them
 * (images/postgres/lib.sh, images/pgpool/entrypoint.sh, images/proxysql/entrypoint.sh).
 */
export const PUBLISHED_DEFAULT_PASSWORDS: readonly string[] = ['L0ngS3cur3P@ssw0rd', 'postgrespass', 'repmgrpass'];
/** ProxySQL's own admin and monitor defaults, refused by its image as well. */
export const PROXYSQL_DEFAULT_PASSWORDS: readonly string[] = ['admin', 'monitor'];

/** The postgres image's own sizing when the environment does not set it. */
export const POSTGRES_SIZING_DEFAULTS = {
  /** Room for both routers' backends, repmgr and a reserve; a capacity run raises it. */
  PG_MAX_CONNECTIONS: 400,
} as const;

/**
 * repmgrd's timing as the postgres image sets it when the environment does not (its
 * entrypoint's defaults; the harness passes none of them). With repmgr's own defaults a
 * killed primary was replaced after 51 s, over the failover budget.
 */
export const REPMGR_TIMING_DEFAULTS = {
  REPMGR_MONITOR_INTERVAL_SECS: 1,
  REPMGR_RECONNECT_ATTEMPTS: 1,
  REPMGR_RECONNECT_INTERVAL: 1,
  REPMGR_CONNECT_TIMEOUT: 1,
  REPMGR_WITNESS_SYNC_INTERVAL: 2,
  REPMGR_NODE_REJOIN_TIMEOUT: 20,
  REPMGR_STANDBY_FOLLOW_TIMEOUT: 10,
  REPMGR_PRIMARY_NOTIFICATION_TIMEOUT: 10,
} as const;

/**
 * How long after repmgrd's first failed check of a primary that refuses at once (killed,
 * rejected) the promotion comes at the earliest: the first reconnect attempt follows the
 * failed check at once, each later one after reconnect_interval; then the promote delay.
 * A primary cut off from everyone must have fenced itself by then (fence.sh: its peers
 * silent for the fence delay, then one more look and an immediate stop).
 */
export function promotionLeadSecs(
  r: { REPMGR_RECONNECT_ATTEMPTS: number; REPMGR_RECONNECT_INTERVAL: number } = REPMGR_TIMING_DEFAULTS,
  promoteDelaySecs: number = CLAIMS.promoteDelaySecs,
): number {
  return (r.REPMGR_RECONNECT_ATTEMPTS - 1) * r.REPMGR_RECONNECT_INTERVAL + promoteDelaySecs;
}

/** The postgres image's own fencing and election settings, by the variable that overrides each. */
export const FENCING_DEFAULTS = {
  PGHA_FENCE_AFTER_SECS: CLAIMS.fenceDelaySecs,
  PGHA_PROMOTE_DELAY_SECS: CLAIMS.promoteDelaySecs,
  PGHA_WITNESS_QUESTION_MS: CLAIMS.witnessQuestionMs,
  PGHA_ELECTION_GRACE_SECS: CLAIMS.electionGraceSecs,
  PGHA_ELECTION_MIN_WAIT_SECS: CLAIMS.electionMinWaitSecs,
  PGHA_DETACHED_STANDBY_SECS: CLAIMS.detachedStandbySecs,
  PGHA_PEER_REPLY_TIMEOUT_SECS: CLAIMS.peerReplyTimeoutSecs,
} as const;

/**
 * How fast pgpool notices a dead backend and finds repmgr's new primary (the pgpool
 * template is rendered from these, config/pgpool-config.ts; the config lint reads them).
 * pgpool searches for a new primary only after its health check has declared the old one
 * down, and then polls once a second: with the health check giving a killed primary up
 * 3.1-3.9 s after the kill, before repmgr's promotion (3.7-5.6 s), the search found the new
 * primary a median 0.5 s late (bench, 10 kills, 2 cores). A node killed while its address
 * still answered refuses instead, and with no delay between retries the health check gave it
 * up within 0.1 s of the kill, searching from then on. The reconciler now hands pgpool the
 * new primary the moment it sees it (images/pgpool/reconcile.sh, retire), so the health check
 * gives a killed node up only after repmgr's promotion would have come: seven attempts, 1 s
 * apart, so six seconds at the least (refused at once), thirteen when each waits its whole
 * 1 s timeout; a hung node the reconciler has cut off (its TCP resets refuse the health check
 * too) about 6 s after the cut. It is the backstop for a primary that dies with no promotion
 * to follow; the reconciler cuts off and detaches a silent standby itself, within about two
 * seconds of a kill.
 */
export const PGPOOL_MONITOR_DEFAULTS = {
  srCheckPeriodSecs: 1,
  healthCheckPeriodSecs: 1,
  healthCheckTimeoutSecs: 1,
  healthCheckMaxRetries: 6,
  healthCheckRetryDelaySecs: 1,
  connectTimeoutMs: 1000,
  /** 0 would search forever and hang every client while no node is primary. */
  searchPrimaryNodeTimeoutSecs: 10,
} as const;

export const toMs = (secs: number): number => secs * 1000;
