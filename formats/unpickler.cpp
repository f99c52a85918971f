// The restricted unpickler: one case per opcode a state_dict pickle uses
// (see Python's Lib/pickletools.py for the opcode table). Unknown opcodes,
// disallowed globals and malformed streams are errors naming the stream,
// the byte offset and the opcode.
#include "formats/unpickler.h"

#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace ctcscope {

const char* PickleValue::kind_name(Kind kind) {
  switch (kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "a bool";
    case Kind::integer: return "an int";
    case Kind::big_integer: return "a big int";
    case Kind::floating: return "a float";
    case Kind::string: return "a str";
    case Kind::bytes: return "bytes";
    case Kind::tuple: return "a tuple";
    case Kind::list: return "a list";
    case Kind::dict: return "a dict";
    case Kind::global: return "a global";
    case Kind::object: return "an object";
  }
  return "?";
}

Unpickler::Unpickler(std::string_view bytes, std::string what, UnpicklerHooks& hooks)
    : bytes_(bytes), what_(std::move(what)), hooks_(hooks) {}

template <class... Parts>
void Unpickler::fail(const Parts&... parts) const {
  unsigned op = op_pos_ < bytes_.size() ? static_cast<unsigned char>(bytes_[op_pos_]) : 0u;
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", op);
  CTC_FAIL(what_, ": pickle opcode ", buf, " at byte ", op_pos_, ": ", parts...);
}

PickleRef Unpickler::make(PickleValue::Kind kind) {
  // Every opcode makes at most one value and takes at least one byte.
  if (arena_.size() > bytes_.size() + 64) fail("more values than the stream has bytes");
  arena_.push_back(std::make_unique<PickleValue>());
  arena_.back()->kind = kind;
  return arena_.back().get();
}

const unsigned char* Unpickler::take(std::size_t n) {
  if (n > bytes_.size() - pos_) fail("needs ", n, " more bytes, the stream has ", bytes_.size() - pos_, " left (truncated?)");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + pos_);
  pos_ += n;
  return p;
}

std::uint64_t Unpickler::take_uint(int bytes) {
  const unsigned char* p = take(static_cast<std::size_t>(bytes));
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string Unpickler::take_line() {
  std::size_t nl = bytes_.find('\n', pos_);
  if (nl == std::string_view::npos || nl - pos_ > 256) fail("expected a short newline-terminated name");
  std::string line(bytes_.substr(pos_, nl - pos_));
  pos_ = nl + 1;
  return line;
}

void Unpickler::push(PickleRef v) {
  if (stack_.size() >= kMaxStack) fail("stack deeper than ", kMaxStack);
  stack_.push_back(v);
}

PickleRef Unpickler::pop() {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("pops an empty stack");
  PickleRef v = stack_.back();
  stack_.pop_back();
  return v;
}

PickleRef Unpickler::top() {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("reads an empty stack");
  return stack_.back();
}

std::vector<PickleRef> Unpickler::pop_to_mark() {
  if (marks_.empty()) fail("no MARK on the stack");
  std::size_t m = marks_.back();
  marks_.pop_back();
  std::vector<PickleRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
  stack_.resize(m);
  return items;
}

PickleRef Unpickler::make_tuple(std::vector<PickleRef> items) {
  PickleRef t = make(PickleValue::Kind::tuple);
  t->items = std::move(items);
  return t;
}

void Unpickler::push_global(const std::string& module, const std::string& name) {
  std::string global = module + "." + name;
  if (!hooks_.allow_global(global)) {
    CTC_FAIL(what_, ": refuses global '", global, "': only state_dict contents are allowed");
  }
  PickleRef g = make(PickleValue::Kind::global);
  g->text = global;
  push(g);
}

void Unpickler::set_items(PickleRef dict, const std::vector<PickleRef>& kv) {
  if (dict->kind != PickleValue::Kind::dict) fail("sets items on ", PickleValue::kind_name(dict->kind), ", expected a dict");
  if (kv.size() % 2 != 0) fail("odd number of keys and values");
  for (std::size_t i = 0; i < kv.size(); i += 2) dict->entries.emplace_back(kv[i], kv[i + 1]);
}

void Unpickler::append_items(PickleRef list, const std::vector<PickleRef>& items) {
  if (list->kind != PickleValue::Kind::list) fail("appends to ", PickleValue::kind_name(list->kind), ", expected a list");
  list->items.insert(list->items.end(), items.begin(), items.end());
}

PickleRef Unpickler::load() {
  using K = PickleValue::Kind;
  stack_.clear();
  marks_.clear();
  while (true) {
    op_pos_ = pos_;
    if (pos_ >= bytes_.size()) fail("stream ends before STOP (truncated?)");
    unsigned char op = *take(1);
    switch (op) {
      case 0x80: {  // PROTO
        std::uint64_t v = take_uint(1);
        if (v < 2 || v > 5) fail("pickle protocol ", v, ", expected 2 to 5");
        break;
      }
      case 0x95: take_uint(8); break;  // FRAME: a size hint only
      case '.': {                      // STOP
        PickleRef result = pop();
        if (!stack_.empty() || !marks_.empty()) fail("STOP with ", stack_.size(), " values left on the stack");
        return result;
      }
      case '(':  // MARK
        if (marks_.size() >= kMaxStack) fail("too many MARKs");
        marks_.push_back(stack_.size());
        break;
      case '0': pop(); break;  // POP
      case '1': pop_to_mark(); break;  // POP_MARK
      case '2': push(top()); break;  // DUP
      case 'N': push(make(K::none)); break;
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        PickleRef b = make(K::boolean);
        b->boolean = op == 0x88;
        push(b);
        break;
      }
      case 'J': case 'K': case 'M': {  // BININT (signed 4), BININT1, BININT2
        PickleRef v = make(K::integer);
        if (op == 'J') v->integer = static_cast<std::int32_t>(static_cast<std::uint32_t>(take_uint(4)));
        else v->integer = static_cast<std::int64_t>(take_uint(op == 'K' ? 1 : 2));
        push(v);
        break;
      }
      case 0x8a: case 0x8b: {  // LONG1, LONG4: little-endian two's complement
        std::uint64_t n = take_uint(op == 0x8a ? 1 : 4);
        if (n > bytes_.size() - pos_) fail("integer of ", n, " bytes runs past the end");
        const unsigned char* p = take(static_cast<std::size_t>(n));
        PickleRef v = make(K::integer);
        if (n <= 8) {
          std::uint64_t u = 0;
          for (std::size_t i = n; i-- > 0;) u = (u << 8) | p[i];
          if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~std::uint64_t{0} << (8 * n);
          v->integer = static_cast<std::int64_t>(u);
        } else {
          v->kind = K::big_integer;
          v->text.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
        }
        push(v);
        break;
      }
      case 'G': {  // BINFLOAT, big-endian
        std::uint64_t bits = 0;
        const unsigned char* p = take(8);
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
        PickleRef v = make(K::floating);
        std::memcpy(&v->floating, &bits, 8);
        push(v);
        break;
      }
      case 0x8c: case 'X': case 0x8d:  // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
      case 'U': case 'T':              // SHORT_BINSTRING, BINSTRING (Python 2 str)
      case 'C': case 'B': case 0x8e: {  // SHORT_BINBYTES, BINBYTES, BINBYTES8
        int len_bytes = (op == 0x8c || op == 'U' || op == 'C') ? 1 : (op == 0x8d || op == 0x8e) ? 8 : 4;
        std::uint64_t n = take_uint(len_bytes);
        if (n > bytes_.size() - pos_) fail("string of ", n, " bytes runs past the end (", bytes_.size() - pos_, " left)");
        const unsigned char* p = take(static_cast<std::size_t>(n));
        PickleRef v = make((op == 'C' || op == 'B' || op == 0x8e) ? K::bytes : K::string);
        v->text.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
        push(v);
        break;
      }
      case '}': push(make(K::dict)); break;   // EMPTY_DICT
      case ']': push(make(K::list)); break;   // EMPTY_LIST
      case ')': push(make_tuple({})); break;  // EMPTY_TUPLE
      case 't': push(make_tuple(pop_to_mark())); break;  // TUPLE
      case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
        std::size_t n = op - 0x84u;
        std::vector<PickleRef> items(n);
        for (std::size_t i = n; i-- > 0;) items[i] = pop();
        push(make_tuple(std::move(items)));
        break;
      }
      case 'l': {  // LIST
        PickleRef l = make(K::list);
        l->items = pop_to_mark();
        push(l);
        break;
      }
      case 'd': {  // DICT
        std::vector<PickleRef> kv = pop_to_mark();
        PickleRef d = make(K::dict);
        set_items(d, kv);
        push(d);
        break;
      }
      case 's': {  // SETITEM
        PickleRef value = pop();
        PickleRef key = pop();
        set_items(top(), {key, value});
        break;
      }
      case 'u': {  // SETITEMS
        std::vector<PickleRef> kv = pop_to_mark();
        set_items(top(), kv);
        break;
      }
      case 'a': {  // APPEND
        PickleRef value = pop();
        append_items(top(), {value});
        break;
      }
      case 'e': {  // APPENDS
        std::vector<PickleRef> items = pop_to_mark();
        append_items(top(), items);
        break;
      }
      case 'q': case 'r': case 0x94: {  // BINPUT, LONG_BINPUT, MEMOIZE
        std::uint64_t index = op == 0x94 ? memo_.size() : take_uint(op == 'q' ? 1 : 4);
        if (memo_.size() >= kMaxMemo && !memo_.count(index)) fail("memo larger than ", kMaxMemo, " entries");
        memo_[index] = top();
        break;
      }
      case 'h': case 'j': {  // BINGET, LONG_BINGET
        std::uint64_t index = take_uint(op == 'h' ? 1 : 4);
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo entry ", index, " was never stored");
        push(it->second);
        break;
      }
      case 'c': {  // GLOBAL "module\nname\n"
        std::string module = take_line();
        std::string name = take_line();
        push_global(module, name);
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PickleRef name = pop();
        PickleRef module = pop();
        if (module->kind != K::string || name->kind != K::string) fail("STACK_GLOBAL needs two strings");
        push_global(module->text, name->text);
        break;
      }
      case 'R': case 0x81: {  // REDUCE (callable, args), NEWOBJ (cls, args)
        PickleRef args = pop();
        PickleRef callable = pop();
        if (callable->kind != K::global) fail("calls ", PickleValue::kind_name(callable->kind), ", expected a global");
        if (args->kind != K::tuple) fail("calls '", callable->text, "' with ", PickleValue::kind_name(args->kind), ", expected a tuple");
        push(hooks_.call(*this, callable, args));
        break;
      }
      case 'Q': {  // BINPERSID
        PickleRef pid = pop();
        push(hooks_.persistent_load(*this, pid));
        break;
      }
      case 'b': {  // BUILD
        PickleRef state = pop();
        hooks_.build(*this, top(), state);
        break;
      }
      default: fail("is not one a state_dict pickle uses");
    }
  }
}

}  // namespace ctcscope
