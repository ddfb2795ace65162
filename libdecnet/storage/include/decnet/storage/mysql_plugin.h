// The contract between libdecnet/storage and the MySQL/MariaDB backend plugin (decnet-storage-mysql.so).
// Internal to storage; public only so the plugin and Open() agree on it.
#pragma once

#include <memory>

#include "decnet/core/result.h"
#include "decnet/storage/repository.h"

namespace decnet::storage {

inline constexpr const char* kMysqlPluginFile = "decnet-storage-mysql.so";
inline constexpr const char* kMysqlPluginSymbol = "decnet_storage_mysql_open";
// Bump when DbConfig, Repository or Error change layout.
inline constexpr int kMysqlPluginAbi = 3;  // 2: token version, statement timeout; 3: exact secrets (CredentialRow)

// Returns kMysqlPluginAbi always. With cfg == nullptr it only reports the ABI. Otherwise it opens and
// migrates; on success *out holds the repository, on failure *out stays null and *err says why.
using MysqlOpenFn = int (*)(const DbConfig* cfg, std::unique_ptr<Repository>* out, Error* err);

}  // namespace decnet::storage
