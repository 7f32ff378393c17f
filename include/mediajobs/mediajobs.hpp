// The umbrella header: everything in mediajobs except the Asio transport and the sandbox,
// which pull in Asio and live behind their own headers (mediajobs/asio/..., mediajobs/sandbox/...).
// Keep this header fast to compile: no Asio, no <iostream>.
#pragma once

#include <mediajobs/core/config.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/version.hpp>
