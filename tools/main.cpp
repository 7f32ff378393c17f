// `mediajobs`: the command-line tool of the mediajobs SDK — every client operation of U-Gen, the
// Style engine and TechForgeInnovate, a local sandbox server, and a self-contained demo.
// `mediajobs --help` lists the commands; `mediajobs COMMAND --help` shows one.
#include "args.hpp"
#include "commands.hpp"
#include "output.hpp"

#include "sandbox_commands.hpp"

#include <mediajobs/core/version.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using mediajobs::cli::command_spec;
using mediajobs::cli::option_spec;

const std::vector<option_spec>& global_options() {
  static const std::vector<option_spec> g{
      {"--base-url", "URL",
       "service base URL, may carry a path prefix (env MEDIAJOBS_BASE_URL); default: U-Gen https://api.u-gen.ai,\n"
       "                            TFI https://api.techforgeinnovate.com; the Style engine has none: required"},
      {"--api-key", "KEY", "API key (env MEDIAJOBS_API_KEY); never printed"},
      {"--timeout", "SECONDS", "per-request timeout; with --wait also the longest wait"},
      {"--max-retries", "N", "retries of a failed request (default 3)"},
      {"--poll-interval", "SECONDS", "--wait: seconds between polls (default 5)"},
      {"--json", "", "print the answer as one JSON document on stdout"},
      {"--quiet", "", "no progress or notes, only the result"},
      {"--help", "", "show help (also after a command)"},
      {"--version", "", "print the version"},
  };
  return g;
}

const std::vector<command_spec>& commands() {
  static const option_spec set{"--set", "FIELD=VALUE", "any schema field by JSON name, dotted for nested; JSON or text", true};
  static const option_spec wait{"--wait", "", "follow the job to the end with progress on stderr"};
  static const std::vector<command_spec> c{
      {"demo", "demo", "Runs an in-process sandbox and a U-Gen, a Style and a TFI job to completion.", {}, {}},
      {"sandbox", "sandbox [--host 127.0.0.1] [--port N] [--speed F] [--api-key K]",
       "Serves U-Gen (/ugen), the Style engine (/style) and TechForgeInnovate (/tfi) locally until stopped.\n"
       "The first stdout line is \"listening on http://HOST:PORT\"; SIGINT or SIGTERM stops it (exit 0).\n"
       "The global --api-key (or MEDIAJOBS_API_KEY) is the key clients must send: default \"sandbox-key\",\n"
       "an empty one turns authentication off.",
       {},
       {{"--host", "HOST", "address to listen on (default 127.0.0.1)"},
        {"--port", "N", "port (default 0: a free port, printed)"},
        {"--speed", "F", "sandbox time per real time (default 1)"}}},
      // U-Gen
      {"ugen create",
       "ugen create --product-name S --product-image-url U --segment-count N [--set FIELD=VALUE]... "
       "[--idempotency-key K] [--wait]",
       "Creates a U-Gen video job (POST /api/v1/jobs).",
       {},
       {{"--product-name", "S", "product_name"},
        {"--product-image-url", "U", "product_image_url"},
        {"--segment-count", "N", "segment_count"},
        {"--idempotency-key", "K", "idempotency_key (default: a random UUID)"},
        set,
        wait}},
      {"ugen get", "ugen get JOB_ID", "Shows a U-Gen job.", {"JOB_ID"}, {}},
      {"ugen cancel", "ugen cancel JOB_ID", "Cancels a pending or processing U-Gen job.", {"JOB_ID"}, {}},
      {"ugen pause", "ugen pause JOB_ID", "Pauses a processing U-Gen job (after its current stage).", {"JOB_ID"}, {}},
      {"ugen resume", "ugen resume JOB_ID", "Resumes a paused U-Gen job.", {"JOB_ID"}, {}},
      {"ugen retry", "ugen retry JOB_ID [--from STAGE]", "Retries a failed U-Gen job.", {"JOB_ID"},
       {{"--from", "STAGE", "restart_from_stage (default: the stage that failed)"}}},
      {"ugen keyframes", "ugen keyframes JOB_ID", "Lists a U-Gen job's keyframes.", {"JOB_ID"}, {}},
      {"ugen videos", "ugen videos JOB_ID", "Lists a U-Gen job's video segments.", {"JOB_ID"}, {}},
      {"ugen wait", "ugen wait JOB_ID", "Follows a U-Gen job to its end, with progress.", {"JOB_ID"}, {}},
      {"ugen list", "ugen list [--status S] [--page N] [--page-size N] [--all]", "Lists U-Gen jobs.", {},
       {{"--status", "S", "only jobs in this status"},
        {"--page", "N", "page number (default 1)"},
        {"--page-size", "N", "jobs per page (default 20)"},
        {"--all", "", "every page, as one list"}}},
      {"ugen suggest", "ugen suggest --product-name S --product-image-url U [--set FIELD=VALUE]...",
       "Asks U-Gen to suggest selling points, CTA, environment and script (free).", {},
       {{"--product-name", "S", "product_name"}, {"--product-image-url", "U", "product_image_url"}, set}},
      // Style engine
      {"style upload", "style upload FILE", "Uploads a video to the Style engine; prints its video_id.", {"FILE"}, {}},
      {"style create",
       "style create --video-id V [--template-video-id T] [--webhook-url U] [--set FIELD=VALUE]... [--wait]",
       "Creates a Style engine job. The Style engine has no documented live URL: --base-url is required.", {},
       {{"--video-id", "V", "video_id (from style upload)"},
        {"--template-video-id", "T", "template_video_id"},
        {"--webhook-url", "U", "webhook_url, POSTed when the job ends"},
        set,
        wait}},
      {"style get", "style get JOB_ID", "Shows a Style engine job.", {"JOB_ID"}, {}},
      {"style result", "style result JOB_ID", "Shows a Style engine job's result (StyleJSON, output URL).", {"JOB_ID"}, {}},
      {"style wait", "style wait JOB_ID", "Follows a Style engine job to its end, with progress.", {"JOB_ID"}, {}},
      {"style list", "style list [--status S] [--page N] [--page-size N] [--all]", "Lists Style engine jobs.", {},
       {{"--status", "S", "only jobs in this status"},
        {"--page", "N", "page number (default 1)"},
        {"--page-size", "N", "jobs per page (default 20)"},
        {"--all", "", "every page, as one list"}}},
      // TechForgeInnovate
      {"tfi create",
       "tfi create --job-type T (--template-id ID | --project-id ID) [--version N] "
       "[--value KEY=TEXT | --value KEY=@JSON]... [--set FIELD=JSON]... [--wait]",
       "Creates a TechForgeInnovate job (POST /jobs/v2). Unknown --set fields are sent as additional fields.", {},
       {{"--job-type", "T", "ai_talking_video, video, tts, image, photo_qc, pdf or ai_image_generation"},
        {"--template-id", "ID", "template_id"},
        {"--project-id", "ID", "project_id"},
        {"--version", "N", "version"},
        {"--value", "KEY=TEXT|KEY=@JSON", "one entry of values (text, or an asset object as JSON)", true},
        set,
        wait}},
      {"tfi get", "tfi get JOB_ID", "Shows a TechForgeInnovate job.", {"JOB_ID"}, {}},
      {"tfi wait", "tfi wait JOB_ID", "Follows a TechForgeInnovate job to its end, with progress.", {"JOB_ID"}, {}},
      {"tfi signed-url", "tfi signed-url PATH", "Signs a storage path for download.", {"PATH"}, {}},
      {"tfi projects", "tfi projects", "Lists the active projects.", {}, {}},
      {"tfi mapping-fields", "tfi mapping-fields PROJECT_ID", "Lists a project's expected values.", {"PROJECT_ID"}, {}},
  };
  return c;
}

const command_spec* find_spec(const std::string& name) {
  for (const command_spec& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string{v} : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mediajobs;
  using namespace mediajobs::cli;
  std::vector<std::string> tokens(argv + 1, argv + argc);
  parsed_args args;
  const auto bad = parse_command_line(tokens, global_options(), commands(), args);
  const std::string api_key = args.get("--api-key").value_or(env_or("MEDIAJOBS_API_KEY", ""));
  const printer out{api_key, args.has("--json"), args.has("--quiet")};
  if (bad) return out.usage(bad->message, bad->help_command);

  const command_spec* spec = find_spec(args.command);
  if (args.has("--help")) {
    std::string text = spec ? help_text(spec, global_options(), commands())
                            : help_text(nullptr, global_options(), commands(), args.command);
    std::fputs(text.c_str(), stdout);
    return exit_ok;
  }
  if (spec == nullptr && args.has("--version")) {
    std::printf("mediajobs %s\n", version_string);
    return exit_ok;
  }

  api::client_options options;
  options.base_url = args.get("--base-url").value_or(env_or("MEDIAJOBS_BASE_URL", ""));
  options.api_key = api_key;
  if (auto t = args.get("--timeout")) {
    const auto v = to_number(*t);
    if (!v || !(*v > 0) || *v > 86400.0 * 365) return out.usage("--timeout needs a positive number of seconds (got '" + *t + "')", args.command);
    options.timeout = std::chrono::milliseconds{static_cast<long long>(std::ceil(*v * 1000.0))};
    options.poll.deadline = options.timeout;
  }
  if (auto n = args.get("--max-retries")) {
    const auto v = to_integer(*n);
    if (!v || *v < 0 || *v > 100) return out.usage("--max-retries needs an integer from 0 to 100 (got '" + *n + "')", args.command);
    options.retry.max_retries = static_cast<int>(*v);
  }
  if (auto p = args.get("--poll-interval")) {
    const auto v = to_number(*p);
    if (!v || !(*v > 0) || *v > 3600) return out.usage("--poll-interval needs a positive number of seconds (got '" + *p + "')", args.command);
    options.poll.interval = std::chrono::milliseconds{static_cast<long long>(std::ceil(*v * 1000.0))};
  }

  const std::string group = args.command.substr(0, args.command.find(' '));
  if (group == "ugen") return run_ugen(session{args, std::move(options), out});
  if (group == "style") return run_style(session{args, std::move(options), out});
  if (group == "tfi") return run_tfi(session{args, std::move(options), out});
  if (group == "sandbox") {
    sandbox_settings s;
    s.host = args.get("--host").value_or("127.0.0.1");
    if (auto p = args.get("--port")) {
      const auto v = to_integer(*p);
      if (!v || *v < 0 || *v > 65535) return out.usage("--port needs a number from 0 to 65535 (got '" + *p + "')", "sandbox");
      s.port = static_cast<std::uint16_t>(*v);
    }
    if (auto f = args.get("--speed")) {
      const auto v = to_number(*f);
      if (!v || !(*v > 0) || *v > 1e6) return out.usage("--speed needs a positive number (got '" + *f + "')", "sandbox");
      s.speed = *v;
    }
    s.api_key = args.get("--api-key").value_or(env_or("MEDIAJOBS_API_KEY", "sandbox-key"));
    return run_sandbox(s, out);
  }
  if (group == "demo") return run_demo(out);
  return out.usage("unknown command '" + args.command + "'");
}
