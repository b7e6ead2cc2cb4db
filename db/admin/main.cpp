// barbican-admin: off-line operator commands.
#include <iostream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "db/admin/commands.h"

namespace {

constexpr const char* kUsage =
    "Commands:\n"
    "  db upgrade              apply pending schema migrations\n"
    "  db current              print the applied and the latest schema version\n";

}  // namespace

int main(int argc, char** argv) {
    core::log::setComponent("admin");
    try {
        core::ParsedArgs parsed = core::parseArgs(argc, argv, "barbican-admin", db::admin::extraFlags(), nullptr);
        if (parsed.help) {
            std::cout << parsed.help_text << "\n" << kUsage << db::admin::extraUsage();
            return 0;
        }
        std::vector<std::pair<std::string, std::string>> flags;
        parsed = core::parseArgs(argc, argv, "barbican-admin", db::admin::extraFlags(), &flags);
        core::log::Level level;
        if (core::log::parseLevel(parsed.config.log_level, level)) core::log::setLevel(level);
        return db::admin::runCommand(parsed.config, parsed.positional, flags);
    } catch (const core::Error& e) {
        std::cerr << "barbican-admin: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "barbican-admin: " << e.what() << "\n";
        return 2;
    }
}
