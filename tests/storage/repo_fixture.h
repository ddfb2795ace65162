// Shared test fixture: a fresh repository for each backend. SQLite always; MySQL when
// DECNET_TEST_MYSQL_SOCKET is set (tests/storage/mysql_test.sh starts a private mariadbd and sets it).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "decnet/storage/repository.h"

namespace decnet::storage::testing {

inline std::string TempDir() {
  std::string tmpl = ::testing::TempDir() + "storage-XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : std::string("/tmp");
}

inline bool MysqlAvailable() {
  const char* s = getenv("DECNET_TEST_MYSQL_SOCKET");
  return s && *s;
}

// A config for `backend` pointing at a fresh, empty database.
inline DbConfig FreshConfig(const std::string& backend) {
  static int counter = 0;
  DbConfig c;
  c.type = backend;
  if (backend == "sqlite") {
    c.path = TempDir() + "/decnet.db";
  } else {
    c.socket = getenv("DECNET_TEST_MYSQL_SOCKET");
    c.user = "root";
    c.name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    if (const char* p = getenv("DECNET_TEST_MYSQL_PLUGIN")) c.plugin_path = p;
  }
  return c;
}

}  // namespace decnet::storage::testing
