// The `mediajobs` tool's argument parser: commands of one or two words ("demo", "ugen create"),
// each with its own options and positional arguments, plus global options accepted before the
// command and among its options.
//
// Our own small parser rather than a library: no dependency to install for a tool that ships
// with a header-only SDK; it has to know the command before it knows which options exist (the
// same --status means something else per command), and it gives exact, one-line error messages
// with a hint ("unknown option '--stauts' for 'ugen list' (did you mean --status?)") that tests
// check word for word. Nothing here throws.
//
// Thread-safety: plain data and pure functions.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace mediajobs::cli {

struct option_spec {
  std::string_view name{};        ///< "--status"
  std::string_view value_name{};  ///< "S"; empty for a flag without value
  std::string_view help{};
  bool repeatable = false;
};

struct command_spec {
  std::string_view name{};  ///< "ugen create"; one word for commands without subcommands
  std::string_view usage{};  ///< what follows "mediajobs " in the usage line
  std::string_view summary{};
  std::vector<std::string_view> positionals{};  ///< names of the required positional arguments
  std::vector<option_spec> options{};
};

/// The options and positional arguments given on the command line.
class parsed_args {
 public:
  [[nodiscard]] bool has(std::string_view name) const noexcept {
    return std::any_of(values_.begin(), values_.end(), [&](const auto& kv) { return kv.first == name; });
  }
  /// The last value of option `name`, if given.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
    for (auto it = values_.rbegin(); it != values_.rend(); ++it)
      if (it->first == name) return it->second;
    return std::nullopt;
  }
  /// Every value of a repeatable option, in order.
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_)
      if (k == name) out.push_back(v);
    return out;
  }
  void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }

  std::vector<std::string> positionals{};
  std::string command{};  ///< the command_spec name matched ("ugen create"), or the group alone

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

/// A usage error: the one-line message and the command whose --help to point at.
struct usage_error {
  std::string message{};
  std::string help_command{};  ///< "" for the top-level help
};

namespace detail {

[[nodiscard]] inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// The closest known name within a small typo distance, for "did you mean".
[[nodiscard]] inline std::string_view closest(std::string_view word, const std::vector<std::string_view>& known) {
  std::string_view best;
  std::size_t best_d = 3;  // more than two edits away is a different word, not a typo
  for (const std::string_view k : known) {
    const std::size_t d = edit_distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

[[nodiscard]] inline const option_spec* find_option(std::string_view name, const std::vector<option_spec>& a,
                                                    const std::vector<option_spec>& b) {
  // The command's own options first: `tfi create --version N` is not the global --version.
  for (const auto* list : {&b, &a})
    for (const option_spec& o : *list)
      if (o.name == name) return &o;
  return nullptr;
}

}  // namespace detail

/// Parses `tokens` (argv without the program name) against the global options and the commands.
/// Fills `out` or returns the usage error. `--help` anywhere is recorded, never an error by itself:
/// the caller prints the help of the command reached so far (out.command).
[[nodiscard]] inline std::optional<usage_error> parse_command_line(const std::vector<std::string>& tokens,
                                                                   const std::vector<option_spec>& globals,
                                                                   const std::vector<command_spec>& commands,
                                                                   parsed_args& out) {
  static const std::vector<option_spec> none;
  const command_spec* spec = nullptr;
  bool options_ended = false;  // after "--" everything is positional
  std::vector<std::string_view> groups;
  for (const command_spec& c : commands) {
    const std::string_view g = c.name.substr(0, c.name.find(' '));
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }

  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    const bool is_option = !options_ended && tok.size() > 1 && tok[0] == '-';
    if (!options_ended && tok == "--") {
      options_ended = true;
      continue;
    }
    if (is_option) {
      std::string name = tok;
      std::optional<std::string> inline_value;
      if (const auto eq = tok.find('='); eq != std::string::npos && tok.rfind("--", 0) == 0) {
        name = tok.substr(0, eq);
        inline_value = tok.substr(eq + 1);
      }
      if (name == "-h") name = "--help";
      const option_spec* o = detail::find_option(name, globals, spec ? spec->options : none);
      if (o == nullptr) {
        std::vector<std::string_view> known;
        for (const auto* list : {&globals, spec ? &spec->options : &none})
          for (const option_spec& k : *list) known.push_back(k.name);
        std::string msg = "unknown option '" + name + "'";
        if (spec) msg += " for '" + std::string{spec->name} + "'";
        if (const std::string_view guess = detail::closest(name, known); !guess.empty())
          msg += " (did you mean " + std::string{guess} + "?)";
        return usage_error{std::move(msg), spec ? std::string{spec->name} : std::string{}};
      }
      std::string value;
      if (o->value_name.empty()) {
        if (inline_value)
          return usage_error{"option " + name + " takes no value", spec ? std::string{spec->name} : std::string{}};
      } else if (inline_value) {
        value = std::move(*inline_value);
      } else if (i + 1 < tokens.size()) {
        value = tokens[++i];
      } else {
        return usage_error{"option " + name + " needs a value (" + std::string{o->value_name} + ")",
                           spec ? std::string{spec->name} : std::string{}};
      }
      if (!o->repeatable && out.has(name) && name != "--help")
        return usage_error{"option " + name + " given more than once", spec ? std::string{spec->name} : std::string{}};
      out.add(std::move(name), std::move(value));
      continue;
    }
    if (spec == nullptr) {
      // A command word: the group, then (for groups with subcommands) the subcommand.
      const std::string candidate = out.command.empty() ? tok : out.command + " " + tok;
      const command_spec* exact = nullptr;
      bool is_group = false;
      for (const command_spec& c : commands) {
        if (c.name == candidate) exact = &c;
        if (c.name.size() > candidate.size() && c.name.substr(0, candidate.size()) == candidate &&
            c.name[candidate.size()] == ' ')
          is_group = true;
      }
      if (exact) {
        spec = exact;
        out.command = candidate;
        continue;
      }
      if (is_group && out.command.empty()) {
        out.command = candidate;
        continue;
      }
      if (out.command.empty()) {
        std::string msg = "unknown command '" + tok + "'";
        if (const std::string_view guess = detail::closest(tok, groups); !guess.empty())
          msg += " (did you mean " + std::string{guess} + "?)";
        return usage_error{std::move(msg), {}};
      }
      std::vector<std::string_view> subs;
      for (const command_spec& c : commands)
        if (c.name.substr(0, out.command.size() + 1) == out.command + " ") subs.push_back(c.name.substr(out.command.size() + 1));
      std::string msg = "unknown command '" + out.command + " " + tok + "'";
      if (const std::string_view guess = detail::closest(tok, subs); !guess.empty())
        msg += " (did you mean " + out.command + " " + std::string{guess} + "?)";
      return usage_error{std::move(msg), out.command};
    }
    out.positionals.push_back(tok);
  }

  if (out.has("--help") || (spec == nullptr && out.has("--version"))) return std::nullopt;
  if (spec == nullptr) {
    if (out.command.empty()) return usage_error{"missing command", {}};
    return usage_error{"missing subcommand for '" + out.command + "'", out.command};
  }
  if (out.positionals.size() < spec->positionals.size())
    return usage_error{"'" + std::string{spec->name} + "' needs " + std::string{spec->positionals[out.positionals.size()]},
                       std::string{spec->name}};
  if (out.positionals.size() > spec->positionals.size())
    return usage_error{"unexpected argument '" + out.positionals[spec->positionals.size()] + "' for '" +
                           std::string{spec->name} + "'",
                       std::string{spec->name}};
  return std::nullopt;
}

/// The help text of one command (or, with spec == nullptr, the overview of all of them).
[[nodiscard]] inline std::string help_text(const command_spec* spec, const std::vector<option_spec>& globals,
                                           const std::vector<command_spec>& commands, std::string_view group = {}) {
  std::string out;
  const auto option_lines = [&](const std::vector<option_spec>& opts) {
    for (const option_spec& o : opts) {
      std::string left = "  " + std::string{o.name};
      if (!o.value_name.empty()) left += " " + std::string{o.value_name};
      if (left.size() < 28) left.resize(28, ' ');
      else left += "  ";
      out += left;
      out += o.help;
      if (o.repeatable) out += " (repeatable)";
      out += '\n';
    }
  };
  if (spec != nullptr) {
    out += "usage: mediajobs ";
    out += spec->usage;
    out += "\n\n";
    out += spec->summary;
    out += "\n";
    if (!spec->options.empty()) {
      out += "\noptions:\n";
      option_lines(spec->options);
    }
  } else {
    out += "usage: mediajobs [global options] COMMAND [options] [arguments]\n\n";
    out += "Drives the U-Gen, Style engine and TechForgeInnovate Jobs APIs; runs a local sandbox of all three.\n\n";
    out += "commands:\n";
    for (const command_spec& c : commands) {
      if (!group.empty() && c.name.substr(0, group.size() + 1) != std::string{group} + " ") continue;
      std::string left = "  " + std::string{c.name};
      if (left.size() < 28) left.resize(28, ' ');
      else left += "  ";
      out += left;
      out += c.summary.substr(0, c.summary.find('\n'));
      out += '\n';
    }
    out += "\n'mediajobs COMMAND --help' shows a command's options.\n";
  }
  out += "\nglobal options:\n";
  option_lines(globals);
  out += "\nexit codes: 0 success; 1 service/HTTP error; 2 usage or validation error (nothing sent);\n"
         "            3 the waited job ended failed or cancelled; 4 transport error or timeout\n";
  return out;
}

// --- value conversions (a usage error names the option) -------------------------------------

[[nodiscard]] inline std::optional<long long> to_integer(std::string_view text) noexcept {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

[[nodiscard]] inline std::optional<double> to_number(std::string_view text) noexcept {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace mediajobs::cli
