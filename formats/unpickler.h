// A restricted, data-only pickle reader (protocols 2 to 5): it builds values
// (None, bools, ints, floats, strings, bytes, tuples, lists, dicts) and hands
// every global, call (REDUCE/NEWOBJ), persistent id and BUILD to the caller's
// hooks. A global the hooks do not allow is an error; nothing is executed.
// Values live in the Unpickler's arena (flat, so cycles and deep nesting
// cannot overflow the stack); memo size and stack depth are bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ctcscope {

struct PickleValue {
  enum class Kind { none, boolean, integer, big_integer, floating, string, bytes, tuple, list, dict, global, object };
  Kind kind = Kind::none;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0.0;
  // string and bytes; big_integer: its two's-complement bytes, little-endian;
  // global: "module.name"; object: a type tag the hooks chose.
  std::string text;
  std::vector<PickleValue*> items;                              // tuple, list
  std::vector<std::pair<PickleValue*, PickleValue*>> entries;  // dict, in insertion order
  std::shared_ptr<void> payload;                                // object: the hooks' data

  static const char* kind_name(Kind kind);
};
using PickleRef = PickleValue*;

class Unpickler;

class UnpicklerHooks {
 public:
  virtual ~UnpicklerHooks() = default;
  // Whether "module.name" may be pushed by GLOBAL / STACK_GLOBAL.
  virtual bool allow_global(const std::string& global) = 0;
  // REDUCE and NEWOBJ on an allowed global: returns the value to push.
  virtual PickleRef call(Unpickler& u, PickleRef callable, PickleRef args) = 0;
  // BINPERSID: returns the value the persistent id stands for.
  virtual PickleRef persistent_load(Unpickler& u, PickleRef pid) = 0;
  // BUILD: obj.__setstate__(state); may refuse by throwing.
  virtual void build(Unpickler& u, PickleRef obj, PickleRef state) = 0;
};

class Unpickler {
 public:
  // `what` names the stream in errors ("weights.pth: archive/data.pkl").
  Unpickler(std::string_view bytes, std::string what, UnpicklerHooks& hooks);

  // Reads one pickle, up to and including STOP, from the current position.
  PickleRef load();
  std::size_t position() const { return pos_; }
  const std::string& what() const { return what_; }

  // A new value in the arena (for hooks).
  PickleRef make(PickleValue::Kind kind);

  static constexpr std::size_t kMaxStack = 1 << 20;
  static constexpr std::size_t kMaxMemo = 1 << 22;

 private:
  template <class... Parts> [[noreturn]] void fail(const Parts&... parts) const;
  const unsigned char* take(std::size_t n);
  std::uint64_t take_uint(int bytes);
  std::string take_line();
  void push(PickleRef v);
  PickleRef pop();
  PickleRef top();
  std::vector<PickleRef> pop_to_mark();
  void push_global(const std::string& module, const std::string& name);
  void set_items(PickleRef dict, const std::vector<PickleRef>& kv);
  void append_items(PickleRef list, const std::vector<PickleRef>& items);
  PickleRef make_tuple(std::vector<PickleRef> items);

  std::string_view bytes_;
  std::string what_;
  UnpicklerHooks& hooks_;
  std::size_t pos_ = 0;
  std::size_t op_pos_ = 0;
  std::vector<PickleRef> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, PickleRef> memo_;
  std::vector<std::unique_ptr<PickleValue>> arena_;
};

}  // namespace ctcscope
