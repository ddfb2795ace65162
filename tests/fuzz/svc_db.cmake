# Redis requests (RESP2 and inline) are the first thing attacker bytes hit in the db family.
decnet_fuzzer(fuzz_svc_db_redis SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_db.cpp
              LINKS decnet::svc_db decnet::decoy_testing)
target_include_directories(fuzz_svc_db_redis PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/db)
# MySQL packets and HandshakeResponse41 logins: the first attacker bytes of port 3306.
decnet_fuzzer(fuzz_svc_db_mysql SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_db_mysql.cpp
              LINKS decnet::svc_db decnet::decoy_testing)
target_include_directories(fuzz_svc_db_mysql PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/db)
# PostgreSQL startup packets, password messages and queries: the first attacker bytes of port 5432.
decnet_fuzzer(fuzz_svc_db_postgres SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_db_postgres.cpp
              LINKS decnet::svc_db decnet::decoy_testing)
target_include_directories(fuzz_svc_db_postgres PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/db)
# MongoDB wire messages and BSON: the first attacker bytes of port 27017.
decnet_fuzzer(fuzz_svc_db_mongodb SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_db_mongodb.cpp
              LINKS decnet::svc_db decnet::decoy_testing)
target_include_directories(fuzz_svc_db_mongodb PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/db)
# TDS packets, PRELOGIN, LOGIN7 / TDS 4.2 logins and batches: the first attacker bytes of port 1433.
decnet_fuzzer(fuzz_svc_db_mssql SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_db_mssql.cpp
              LINKS decnet::svc_db decnet::decoy_testing)
target_include_directories(fuzz_svc_db_mssql PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/db)
