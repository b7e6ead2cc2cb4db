#pragma once

#include "core/config.h"
#include "core/keyring.h"
#include "db/database.h"
#include "db/project_keys.h"
#include "fcgi/router.h"
#include "jobs/queue.h"

namespace fcgi {

class KeystoneAuth;

// Everything a request handler may use, owned by one worker process and
// created after fork(). Not shared between processes or threads.
struct App {
    const core::Config& config;
    const core::Keyring& keyring;
    db::Database& db;
    jobs::Queue& queue;
    db::ProjectKeyStore& project_keys;
    const Router& router;
    // Token validator of this worker; set when config.auth_mode is
    // "keystone", null otherwise.
    KeystoneAuth* keystone = nullptr;
};

}  // namespace fcgi
