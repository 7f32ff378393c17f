// mediajobs api layer in one include: endpoint descriptors, the call engine (auth, retries,
// errors, logging), polling (wait), pagination (pager), client options, download_to_file.
// Thread-safety: see each header.
#pragma once

#include <mediajobs/api/download.hpp>
#include <mediajobs/api/endpoint.hpp>
#include <mediajobs/api/engine.hpp>
#include <mediajobs/api/errors.hpp>
#include <mediajobs/api/options.hpp>
#include <mediajobs/api/pages.hpp>
#include <mediajobs/api/retry.hpp>
#include <mediajobs/api/uuid.hpp>
#include <mediajobs/api/wait.hpp>
