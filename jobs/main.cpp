#include "jobs/runner_main.h"

int main(int argc, char** argv) { return jobs::runnerMain(argc, argv); }
