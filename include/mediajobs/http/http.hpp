// mediajobs::http, all of it: messages, URLs, the HTTP/1.1 serializer and parsers, and to_query
// for reflected structs. Sans-I/O: nothing here opens a socket.
// Thread-safety: see each header.
#pragma once

#include <mediajobs/http/message.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/query.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/http/url.hpp>
