#include "fcgi/master.h"

int main(int argc, char** argv) { return fcgi::runMaster(argc, argv); }
