// Catch2 v2 entry point for every test binary of the project. The listener
// prints the plain "N passed, N failed" line that CI reads, counted in test
// cases.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <iostream>

namespace {

class SummaryListener : public Catch::TestEventListenerBase {
public:
    using TestEventListenerBase::TestEventListenerBase;

    void testRunEnded(Catch::TestRunStats const& stats) override {
        const auto& cases = stats.totals.testCases;
        std::cout << cases.passed << " passed, " << cases.failed << " failed" << std::endl;
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(SummaryListener)
