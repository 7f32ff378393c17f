// The umbrella header: everything in mediajobs except the Asio transport and the sandbox,
// which pull in Asio and live behind their own headers (mediajobs/asio/..., mediajobs/sandbox/...),
// and the P2300 front-end (mediajobs/execution.hpp).
// Keep this header free of Asio and <iostream>: its compile time is measured (README).
#pragma once

// core: values, errors, coroutines
#include <mediajobs/core/config.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/core/version.hpp>

// reflection and JSON
#include <mediajobs/json/json.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/reflect/reflect.hpp>

// HTTP messages, URLs, the sans-I/O serializer and parser
#include <mediajobs/http/http.hpp>

// the transport concept, adapters, and the test doubles users need for their own tests
#include <mediajobs/transport/adapters.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/transport/ref.hpp>
#include <mediajobs/transport/transport.hpp>

// the api layer and the three services
#include <mediajobs/api/api.hpp>
#include <mediajobs/style/client.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/style/validate.hpp>
#include <mediajobs/techforge/client.hpp>
#include <mediajobs/techforge/schema.hpp>
#include <mediajobs/techforge/validate.hpp>
#include <mediajobs/ugen/client.hpp>
#include <mediajobs/ugen/schema.hpp>
#include <mediajobs/ugen/validate.hpp>

// webhooks: signature verification and typed events
#include <mediajobs/webhook/events.hpp>
#include <mediajobs/webhook/signature.hpp>
#include <mediajobs/webhook/webhook.hpp>
