// Numbered migrations. A migration is applied once, in its own transaction, and recorded in
// schema_version; applying is idempotent (already-recorded versions are skipped). Never edit a released
// migration: add a new one. Each has a SQLite and a MySQL/MariaDB text because the DDL dialects differ
// (MySQL needs VARCHAR for indexed text and AUTO_INCREMENT; SQLite wants INTEGER PRIMARY KEY).
//
// logs carries three secondary indexes (time, attacker, decky): the keyset pages the API and profiler
// need. Service and event_type filters ride on those (or scan); every extra index costs ~15% of the
// ingest rate (measured with bench/storage), so they are added only when a query needs them.
#include <string>
#include <vector>

#include "sql_conn.h"
#include "decnet/storage/repository.h"

namespace decnet::storage {
namespace {

struct Migration {
  int version;
  const char* what;
  std::vector<const char*> sqlite;
  std::vector<const char*> mysql;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "logs, bounty, credentials, state",
       {
           "CREATE TABLE IF NOT EXISTS logs (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, "
           "decky TEXT NOT NULL, service TEXT NOT NULL, event_type TEXT NOT NULL, attacker_ip TEXT NOT "
           "NULL, raw_line TEXT NOT NULL, fields TEXT NOT NULL, msg TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS logs_ts ON logs(ts_us)",
           "CREATE INDEX IF NOT EXISTS logs_attacker ON logs(attacker_ip, id)",
           "CREATE INDEX IF NOT EXISTS logs_decky ON logs(decky, id)",
           "CREATE TABLE IF NOT EXISTS bounty (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, "
           "decky TEXT NOT NULL, service TEXT NOT NULL, attacker_ip TEXT NOT NULL, bounty_type TEXT NOT "
           "NULL, payload TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS bounty_attacker ON bounty(attacker_ip, id)",
           "CREATE INDEX IF NOT EXISTS bounty_type ON bounty(bounty_type, id)",
           "CREATE TABLE IF NOT EXISTS credentials (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, "
           "attacker_ip TEXT NOT NULL, decky TEXT NOT NULL, service TEXT NOT NULL, username TEXT NOT "
           "NULL, secret TEXT NOT NULL, secret_kind TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS credentials_attacker ON credentials(attacker_ip, id)",
           "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
       },
       {
           "CREATE TABLE IF NOT EXISTS logs (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts_us BIGINT NOT "
           "NULL, decky VARCHAR(255) NOT NULL, service VARCHAR(64) NOT NULL, event_type VARCHAR(64) "
           "NOT NULL, attacker_ip VARCHAR(64) NOT NULL, raw_line MEDIUMTEXT NOT NULL, fields "
           "MEDIUMTEXT NOT NULL, msg MEDIUMTEXT NOT NULL, INDEX logs_ts (ts_us), INDEX logs_attacker "
           "(attacker_ip, id), INDEX logs_decky (decky, id)) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS bounty (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts_us BIGINT NOT "
           "NULL, decky VARCHAR(255) NOT NULL, service VARCHAR(64) NOT NULL, attacker_ip VARCHAR(64) "
           "NOT NULL, bounty_type VARCHAR(64) NOT NULL, payload MEDIUMTEXT NOT NULL, INDEX "
           "bounty_attacker (attacker_ip, id), INDEX bounty_type (bounty_type, id)) CHARACTER SET "
           "utf8mb4",
           "CREATE TABLE IF NOT EXISTS credentials (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts_us BIGINT "
           "NOT NULL, attacker_ip VARCHAR(64) NOT NULL, decky VARCHAR(255) NOT NULL, service "
           "VARCHAR(64) NOT NULL, username TEXT NOT NULL, secret TEXT NOT NULL, secret_kind "
           "VARCHAR(32) NOT NULL, INDEX credentials_attacker (attacker_ip, id)) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS state (`key` VARCHAR(191) PRIMARY KEY, value MEDIUMTEXT NOT "
           "NULL) CHARACTER SET utf8mb4",
       }},
      {2,
       "attackers, attacker_behavior, credential_reuse, users",
       {
           "CREATE TABLE IF NOT EXISTS attackers (ip TEXT PRIMARY KEY, first_seen_us INTEGER NOT NULL, "
           "last_seen_us INTEGER NOT NULL, event_count INTEGER NOT NULL, services TEXT NOT NULL, "
           "deckies TEXT NOT NULL, traversal TEXT NOT NULL, is_traversal INTEGER NOT NULL, "
           "bounty_count INTEGER NOT NULL, credential_count INTEGER NOT NULL, fingerprints TEXT NOT "
           "NULL, commands TEXT NOT NULL, score REAL NOT NULL, score_reasons TEXT NOT NULL, "
           "updated_at_us INTEGER NOT NULL, intel_state TEXT)",
           "CREATE INDEX IF NOT EXISTS attackers_last_seen ON attackers(last_seen_us, ip)",
           "CREATE INDEX IF NOT EXISTS attackers_score ON attackers(score, ip)",
           "CREATE TABLE IF NOT EXISTS attacker_behavior (ip TEXT PRIMARY KEY, os_guess TEXT NOT NULL, "
           "hop_distance INTEGER NOT NULL, tcp_fingerprint TEXT NOT NULL, retransmit_count INTEGER NOT "
           "NULL, behavior_class TEXT NOT NULL, beacon_interval_s REAL NOT NULL, beacon_jitter_pct "
           "REAL NOT NULL, tool_guesses TEXT NOT NULL, timing_stats TEXT NOT NULL, phase_sequence TEXT "
           "NOT NULL, updated_at_us INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS credential_reuse (id INTEGER PRIMARY KEY, group_key TEXT NOT "
           "NULL UNIQUE, username TEXT NOT NULL, secret_kind TEXT NOT NULL, secret TEXT NOT NULL, "
           "target_count INTEGER NOT NULL, attempt_count INTEGER NOT NULL, attacker_ips TEXT NOT NULL, "
           "deckies TEXT NOT NULL, services TEXT NOT NULL, first_seen_us INTEGER NOT NULL, "
           "last_seen_us INTEGER NOT NULL, updated_at_us INTEGER NOT NULL)",
           "CREATE INDEX IF NOT EXISTS credentials_group ON credentials(secret_kind, username, secret)",
           "CREATE TABLE IF NOT EXISTS users (uuid TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, "
           "password_hash TEXT NOT NULL, role TEXT NOT NULL, must_change_password INTEGER NOT NULL, "
           "created_at_us INTEGER NOT NULL)",
       },
       {
           "CREATE TABLE IF NOT EXISTS attackers (ip VARCHAR(64) PRIMARY KEY, first_seen_us BIGINT NOT "
           "NULL, last_seen_us BIGINT NOT NULL, event_count BIGINT NOT NULL, services MEDIUMTEXT NOT "
           "NULL, deckies MEDIUMTEXT NOT NULL, traversal MEDIUMTEXT NOT NULL, is_traversal TINYINT NOT "
           "NULL, bounty_count BIGINT NOT NULL, credential_count BIGINT NOT NULL, fingerprints "
           "MEDIUMTEXT NOT NULL, commands MEDIUMTEXT NOT NULL, score DOUBLE NOT NULL, score_reasons "
           "MEDIUMTEXT NOT NULL, updated_at_us BIGINT NOT NULL, intel_state MEDIUMTEXT NULL, INDEX attackers_last_seen "
           "(last_seen_us, ip), INDEX attackers_score (score, ip)) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS attacker_behavior (ip VARCHAR(64) PRIMARY KEY, os_guess "
           "VARCHAR(64) NOT NULL, hop_distance BIGINT NOT NULL, tcp_fingerprint MEDIUMTEXT NOT NULL, "
           "retransmit_count BIGINT NOT NULL, behavior_class VARCHAR(64) NOT NULL, beacon_interval_s "
           "DOUBLE NOT NULL, beacon_jitter_pct DOUBLE NOT NULL, tool_guesses MEDIUMTEXT NOT NULL, "
           "timing_stats MEDIUMTEXT NOT NULL, phase_sequence MEDIUMTEXT NOT NULL, updated_at_us "
           "BIGINT NOT NULL) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS credential_reuse (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
           "group_key VARCHAR(64) NOT NULL UNIQUE, username TEXT NOT NULL, secret_kind VARCHAR(32) NOT "
           "NULL, secret TEXT NOT NULL, target_count BIGINT NOT NULL, attempt_count BIGINT NOT NULL, "
           "attacker_ips MEDIUMTEXT NOT NULL, deckies MEDIUMTEXT NOT NULL, services MEDIUMTEXT NOT "
           "NULL, first_seen_us BIGINT NOT NULL, last_seen_us BIGINT NOT NULL, updated_at_us BIGINT NOT "
           "NULL) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS users (uuid VARCHAR(64) PRIMARY KEY, username VARCHAR(191) NOT "
           "NULL UNIQUE, password_hash TEXT NOT NULL, role VARCHAR(32) NOT NULL, must_change_password "
           "TINYINT NOT NULL, created_at_us BIGINT NOT NULL) CHARACTER SET utf8mb4",
       }},
      {3,
       "topologies, deckies",
       {
           "CREATE TABLE IF NOT EXISTS topologies (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT "
           "NOT NULL, json TEXT NOT NULL, created_at_us INTEGER NOT NULL, status TEXT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS deckies (name TEXT PRIMARY KEY, topology_id TEXT NOT NULL, ip "
           "TEXT NOT NULL, json TEXT NOT NULL, state TEXT NOT NULL, updated_at_us INTEGER NOT NULL)",
           "CREATE INDEX IF NOT EXISTS deckies_topology ON deckies(topology_id, name)",
       },
       {
           "CREATE TABLE IF NOT EXISTS topologies (id VARCHAR(64) PRIMARY KEY, name VARCHAR(255) NOT "
           "NULL, hash VARCHAR(128) NOT NULL, json MEDIUMTEXT NOT NULL, created_at_us BIGINT NOT NULL, "
           "status VARCHAR(32) NOT NULL) CHARACTER SET utf8mb4",
           "CREATE TABLE IF NOT EXISTS deckies (name VARCHAR(191) PRIMARY KEY, topology_id VARCHAR(64) "
           "NOT NULL, ip VARCHAR(64) NOT NULL, json MEDIUMTEXT NOT NULL, state VARCHAR(32) NOT NULL, "
           "updated_at_us BIGINT NOT NULL, INDEX deckies_topology (topology_id, name)) CHARACTER SET "
           "utf8mb4",
       }},
      // The API checks the token's version against this on every request: logout, a password or
      // role change bump it, so every token of that user dies, across restarts. DEFAULT 1 (tokens
      // minted before this migration carry no version, read as 0) revokes the tokens of the old
      // in-memory scheme, whose logouts a restart forgot.
      {4,
       "users.token_version",
       {"ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 1"},
       {"ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 1"}},
      // Exact secrets (issue 13): `secret` holds the exact bytes the decky captured (decoded from
      // secret_b64), as text when they are valid UTF-8 without NUL (secret_encoding 'utf8') and as
      // lowercase hex otherwise ('hex'); the printable form the decky logged is kept beside it.
      // Reuse groups by the encoding too, so a text secret "ff" and the byte 0xFF never merge. Rows
      // from before kept only the printable form: that is what they hold, now in both columns.
      // MySQL compares utf8mb4 text case- and accent-blind by default ('tëst' = 'TEST'): secrets
      // and usernames compare byte for byte (utf8mb4_bin).
      {5,
       "credentials.secret_printable, secret_encoding",
       {"ALTER TABLE credentials ADD COLUMN secret_printable TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE credentials ADD COLUMN secret_encoding TEXT NOT NULL DEFAULT 'utf8'",
        "UPDATE credentials SET secret_printable = secret",
        "ALTER TABLE credential_reuse ADD COLUMN secret_encoding TEXT NOT NULL DEFAULT 'utf8'",
        "DROP INDEX IF EXISTS credentials_group",
        "CREATE INDEX IF NOT EXISTS credentials_group ON credentials(secret_kind, username, "
        "secret_encoding, secret)"},
       {"ALTER TABLE credentials ADD COLUMN secret_printable TEXT NOT NULL DEFAULT '', ADD COLUMN "
        "secret_encoding VARCHAR(8) NOT NULL DEFAULT 'utf8', MODIFY secret TEXT CHARACTER SET utf8mb4 "
        "COLLATE utf8mb4_bin NOT NULL, MODIFY username TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin "
        "NOT NULL",
        "UPDATE credentials SET secret_printable = secret",
        "ALTER TABLE credential_reuse ADD COLUMN secret_encoding VARCHAR(8) NOT NULL DEFAULT 'utf8', "
        "MODIFY secret TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, MODIFY username TEXT "
        "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"}},
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> ReadSchemaVersion(SqlConn& conn) {
  auto st = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!st) return st.error();
  auto row = (*st)->Step();
  if (!row) return row.error();
  int v = *row ? static_cast<int>((*st)->ColInt(0)) : 0;
  (*st)->Reset();
  return v;
}

Status Migrate(SqlConn& conn, int target) {
  if (target <= 0) target = LatestSchemaVersion();
  const bool mysql = conn.dialect() == Dialect::kMysql;
  Status made = conn.Exec(mysql ? "CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, "
                                  "applied_at_us BIGINT NOT NULL, what VARCHAR(255) NOT NULL)"
                                : "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY "
                                  "KEY, applied_at_us INTEGER NOT NULL, what TEXT NOT NULL)");
  if (!made) return made;
  auto current = ReadSchemaVersion(conn);
  if (!current) return current.error();
  if (*current > LatestSchemaVersion()) {
    return MakeError(Errc::kCorrupt, "database schema version " + std::to_string(*current) +
                                         " is newer than this binary knows (" +
                                         std::to_string(LatestSchemaVersion()) +
                                         "); upgrade decnet, do not downgrade a database");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= *current || m.version > target) continue;
    // MySQL DDL commits implicitly; CREATE ... IF NOT EXISTS keeps a half-applied migration re-runnable.
    if (Status s = conn.Exec(mysql ? "START TRANSACTION" : "BEGIN IMMEDIATE"); !s) return s;
    // Another process may have applied it while we waited for the write lock.
    auto now = ReadSchemaVersion(conn);
    if (!now || *now >= m.version) {
      (void)conn.Exec("ROLLBACK");
      if (!now) return now.error();
      continue;
    }
    for (const char* sql : mysql ? m.mysql : m.sqlite) {
      if (Status s = conn.Exec(sql); !s) {
        (void)conn.Exec("ROLLBACK");
        return MakeError(s.error().code, "migration " + std::to_string(m.version) + ": " +
                                             s.error().message);
      }
    }
    auto ins = conn.Prepare("INSERT INTO schema_version (version, applied_at_us, what) VALUES (?, ?, ?)");
    if (!ins) {
      (void)conn.Exec("ROLLBACK");
      return ins.error();
    }
    (*ins)->BindInt(1, m.version);
    (*ins)->BindInt(2, 0);
    (*ins)->BindText(3, m.what);
    if (Status s = ExecStmt(*ins); !s) {
      (void)conn.Exec("ROLLBACK");
      return s;
    }
    if (Status s = conn.Exec("COMMIT"); !s) return s;
  }
  return Ok();
}

Status ExecStmt(SqlStmt* st) {
  auto r = st->Step();
  st->Reset();
  if (!r) return r.error();
  return Ok();
}

}  // namespace decnet::storage
