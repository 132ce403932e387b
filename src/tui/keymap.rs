//! The keymap: tables of bindings per context, used both to resolve keys (pure) and to list them
//! in the help screen and the command palette. Nothing essential is bound to Alt; Esc only ever
//! closes, cancels or goes back.

use super::app::FlowKind;
use super::keys::{spec, Key};
use crate::i18n::Lang;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Quit,
    Help,
    Palette,
    Close,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Toggle,
    Yes,
    No,
    NextTab,
    PrevTab,
    Tab(u8),
    Search,
    Goto,
    Limit,
    ClearView,
    Tag,
    TagPattern,
    Bulk,
    BulkAssign,
    BulkReturn,
    Sort,
    Back,
    Act,
    Decide(FlowKind),
    Edit,
    AddNote,
    Diff,
    Older,
    Newer,
    TakeOver,
    NextField,
    PrevField,
    ToggleQuoted,
    Save,
    Reload,
    Compare,
    Overwrite,
    Reports,
    PrevPeriod,
    NextPeriod,
}

/// Where keys are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Queue,
    Item,
    Editor,
    Help,
    Palette,
    Prompt,
    Picker,
    Confirm,
    Conflict,
    Diff,
    Bulk,
    Reports,
}

/// One binding: keys in script syntax (space separated), the command, what it does.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static str,
    pub cmd: Cmd,
    pub vi: &'static str,
    pub en: &'static str,
}

impl Binding {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.vi, self.en)
    }
}

const fn b(keys: &'static str, cmd: Cmd, vi: &'static str, en: &'static str) -> Binding {
    Binding { keys, cmd, vi, en }
}

const QUEUE: &[Binding] = &[
    b("j <Down>", Cmd::Down, "xuống", "down"),
    b("k <Up>", Cmd::Up, "lên", "up"),
    b("<PgDn> <C-f>", Cmd::PageDown, "trang sau", "next page"),
    b("<PgUp> <C-b>", Cmd::PageUp, "trang trước", "previous page"),
    b("g <Home>", Cmd::Top, "đầu danh sách", "first item"),
    b("G <End>", Cmd::Bottom, "cuối danh sách", "last item"),
    b("<Enter>", Cmd::Open, "mở tin bài", "open the item"),
    b("<Tab>", Cmd::NextTab, "thẻ sau", "next tab"),
    b("<S-Tab>", Cmd::PrevTab, "thẻ trước", "previous tab"),
    b("1", Cmd::Tab(0), "thẻ 1: việc của tôi", "tab 1: my work"),
    b("2", Cmd::Tab(1), "thẻ 2: mới nhận", "tab 2: new"),
    b("3", Cmd::Tab(2), "thẻ 3: đã phân loại", "tab 3: triaged"),
    b("4", Cmd::Tab(3), "thẻ 4: đang biên tập", "tab 4: editing"),
    b("5", Cmd::Tab(4), "thẻ 5: đã kiểm tra", "tab 5: verified"),
    b("6", Cmd::Tab(5), "thẻ 6: xin ý kiến", "tab 6: escalated"),
    b("7", Cmd::Tab(6), "thẻ 7: đã duyệt", "tab 7: approved"),
    b("8", Cmd::Tab(7), "thẻ 8: trả lại", "tab 8: returned"),
    b("9", Cmd::Tab(8), "thẻ 9: đã xong", "tab 9: closed"),
    b(
        "/",
        Cmd::Search,
        "tìm (không dấu cũng được)",
        "search (accents optional)",
    ),
    b(
        "#",
        Cmd::Goto,
        "mở tin bài theo số",
        "open an item by number",
    ),
    b(
        "l",
        Cmd::Limit,
        "lọc theo mẫu (~s ~c ~u ~a ~o ~d ~D ! | ( ))",
        "limit by pattern (~s ~c ~u ~a ~o ~d ~D ! | ( ))",
    ),
    b(
        "<Esc>",
        Cmd::ClearView,
        "bỏ tìm kiếm/lọc",
        "clear search/limit",
    ),
    b("t", Cmd::Tag, "đánh dấu/bỏ đánh dấu", "tag/untag"),
    b("T", Cmd::TagPattern, "đánh dấu theo mẫu", "tag by pattern"),
    b(
        ";",
        Cmd::Bulk,
        "áp dụng cho các tin đã đánh dấu",
        "apply to tagged items",
    ),
    b(
        "s",
        Cmd::Sort,
        "đổi cách sắp xếp (hạn, ngày nhận, tiêu đề)",
        "cycle sort (due, received, title)",
    ),
    b("?", Cmd::Help, "trợ giúp", "help"),
    b(":", Cmd::Palette, "bảng lệnh", "command palette"),
    b("q", Cmd::Quit, "thoát", "quit"),
    b(
        "R",
        Cmd::Reports,
        "báo cáo tháng (biểu đồ)",
        "monthly report (charts)",
    ),
];

const ITEM: &[Binding] = &[
    b("j <Down>", Cmd::Down, "cuộn xuống", "scroll down"),
    b("k <Up>", Cmd::Up, "cuộn lên", "scroll up"),
    b(
        "<PgDn> <C-f> <Space>",
        Cmd::PageDown,
        "trang sau",
        "page down",
    ),
    b("<PgUp> <C-b>", Cmd::PageUp, "trang trước", "page up"),
    b("g <Home>", Cmd::Top, "đầu", "top"),
    b("G <End>", Cmd::Bottom, "cuối", "bottom"),
    b(
        "a",
        Cmd::Act,
        "quyết định (danh sách, kèm lý do không được)",
        "decide (menu, with why not)",
    ),
    b(
        "v",
        Cmd::Decide(FlowKind::Step),
        "chuyển bước tiếp theo (kiểm tra/duyệt)",
        "take the next step (verify/approve)",
    ),
    b("c", Cmd::Decide(FlowKind::Triage), "phân loại", "triage"),
    b(
        "A",
        Cmd::Decide(FlowKind::Assign),
        "giao biên tập",
        "assign",
    ),
    b(
        "b",
        Cmd::Decide(FlowKind::Return),
        "trả lại để bổ sung",
        "return for revision",
    ),
    b("x", Cmd::Decide(FlowKind::Reject), "từ chối", "reject"),
    b(
        "E",
        Cmd::Decide(FlowKind::Escalate),
        "xin ý kiến lãnh đạo",
        "escalate",
    ),
    b(
        "o",
        Cmd::Decide(FlowKind::Opinion),
        "cho ý kiến (lãnh đạo)",
        "give opinion (head)",
    ),
    b(
        "R",
        Cmd::Decide(FlowKind::Resubmit),
        "nhận lại bản đã sửa",
        "resubmitted",
    ),
    b("p", Cmd::Decide(FlowKind::Publish), "đăng", "publish"),
    b(
        "W",
        Cmd::Decide(FlowKind::Withdraw),
        "gỡ tin (chọn căn cứ, ghi chú)",
        "withdraw (pick grounds, note)",
    ),
    b(
        "C",
        Cmd::Decide(FlowKind::Confirm),
        "ghi đã xác minh nguồn/trích dẫn (cách liên hệ, ghi chú)",
        "record source/attribution confirmed (how, note)",
    ),
    b(
        "S",
        Cmd::Decide(FlowKind::Submitter),
        "bổ sung thông tin người gửi (chọn ô, giá trị, ghi chú)",
        "complete the submitter's details (field, value, note)",
    ),
    b("e", Cmd::Edit, "biên tập", "edit"),
    b("n", Cmd::AddNote, "thêm ghi chú", "add a note"),
    b("d", Cmd::Diff, "so sánh các bản sửa", "compare revisions"),
    b(
        "L",
        Cmd::TakeOver,
        "nhận quyền sửa từ người đang mở",
        "take over from whoever has it open",
    ),
    b("<Esc> q", Cmd::Back, "về danh sách", "back to the queue"),
    b("?", Cmd::Help, "trợ giúp", "help"),
    b(":", Cmd::Palette, "bảng lệnh", "command palette"),
];

const EDITOR: &[Binding] = &[
    b("<C-s>", Cmd::Save, "lưu", "save"),
    b("<Tab>", Cmd::NextField, "ô sau", "next field"),
    b("<S-Tab>", Cmd::PrevField, "ô trước", "previous field"),
    b(
        "<C-t>",
        Cmd::ToggleQuoted,
        "tự viết / trích dẫn",
        "original / quoted",
    ),
    b(
        "<Esc>",
        Cmd::Back,
        "đóng (hỏi trước khi bỏ thay đổi)",
        "close (asks before dropping changes)",
    ),
    b("<F1>", Cmd::Help, "trợ giúp", "help"),
];

const HELP: &[Binding] = &[
    b("<Down> j", Cmd::Down, "cuộn xuống", "scroll down"),
    b("<Up> k", Cmd::Up, "cuộn lên", "scroll up"),
    b("<PgDn> <Space>", Cmd::PageDown, "trang sau", "next page"),
    b("<PgUp>", Cmd::PageUp, "trang trước", "previous page"),
    b(
        "<Esc> q ? <Enter>",
        Cmd::Close,
        "đóng (mọi phím khác cũng vậy)",
        "close (so does any other key)",
    ),
];

const PALETTE: &[Binding] = &[
    b("<Enter>", Cmd::Open, "chạy lệnh", "run"),
    b("<Down> <C-n>", Cmd::Down, "xuống", "down"),
    b("<Up> <C-p>", Cmd::Up, "lên", "up"),
    b("<Esc>", Cmd::Close, "đóng", "close"),
];

const PROMPT: &[Binding] = &[
    b("<Enter>", Cmd::Open, "xong", "done"),
    b("<Esc>", Cmd::Close, "huỷ", "cancel"),
];

const PICKER: &[Binding] = &[
    b("j <Down>", Cmd::Down, "xuống", "down"),
    b("k <Up>", Cmd::Up, "lên", "up"),
    b("g <Home>", Cmd::Top, "đầu", "top"),
    b("G <End>", Cmd::Bottom, "cuối", "bottom"),
    b("<Space>", Cmd::Toggle, "chọn/bỏ chọn", "pick/unpick"),
    b("<Enter>", Cmd::Open, "xong", "done"),
    b("<Esc>", Cmd::Close, "huỷ", "cancel"),
];

const CONFIRM: &[Binding] = &[
    b("y", Cmd::Yes, "đồng ý", "yes"),
    b("n", Cmd::No, "không", "no"),
    b("<Esc>", Cmd::Close, "huỷ", "cancel"),
];

const CONFLICT: &[Binding] = &[
    b("r", Cmd::Reload, "tải bản của người khác", "reload theirs"),
    b("d", Cmd::Compare, "so sánh hai bản", "compare both"),
    b(
        "o",
        Cmd::Overwrite,
        "ghi đè có chủ ý (bản của họ vẫn trong lịch sử)",
        "overwrite deliberately (theirs stays in history)",
    ),
    b("<Esc>", Cmd::Close, "tiếp tục sửa", "keep editing"),
];

const DIFF: &[Binding] = &[
    b("j <Down>", Cmd::Down, "cuộn xuống", "scroll down"),
    b("k <Up>", Cmd::Up, "cuộn lên", "scroll up"),
    b("<PgDn> <Space>", Cmd::PageDown, "trang sau", "page down"),
    b("<PgUp>", Cmd::PageUp, "trang trước", "page up"),
    b("h <Left>", Cmd::Older, "bản cũ hơn", "older"),
    b("l <Right>", Cmd::Newer, "bản mới hơn", "newer"),
    b("<Esc> q", Cmd::Close, "đóng", "close"),
];

const BULK: &[Binding] = &[
    b(
        "a",
        Cmd::BulkAssign,
        "giao các tin đã đánh dấu",
        "assign the tagged items",
    ),
    b(
        "b",
        Cmd::BulkReturn,
        "trả lại các tin đã đánh dấu",
        "return the tagged items",
    ),
    b("<Esc>", Cmd::Close, "huỷ", "cancel"),
];

const REPORTS: &[Binding] = &[
    b("h <Left>", Cmd::PrevPeriod, "tháng trước", "previous month"),
    b("l <Right>", Cmd::NextPeriod, "tháng sau", "next month"),
    b("r", Cmd::Reload, "lập lại báo cáo", "rebuild the report"),
    b("<Esc> q", Cmd::Back, "về danh sách", "back to the queue"),
    b("?", Cmd::Help, "trợ giúp", "help"),
    b(":", Cmd::Palette, "bảng lệnh", "command palette"),
];

pub fn bindings(ctx: Ctx) -> &'static [Binding] {
    match ctx {
        Ctx::Queue => QUEUE,
        Ctx::Item => ITEM,
        Ctx::Editor => EDITOR,
        Ctx::Help => HELP,
        Ctx::Palette => PALETTE,
        Ctx::Prompt => PROMPT,
        Ctx::Picker => PICKER,
        Ctx::Confirm => CONFIRM,
        Ctx::Conflict => CONFLICT,
        Ctx::Diff => DIFF,
        Ctx::Bulk => BULK,
        Ctx::Reports => REPORTS,
    }
}

/// Resolve a key in a context (pure). `None`: the key is text for the focused input.
pub fn resolve(ctx: Ctx, key: &Key) -> Option<Cmd> {
    bindings(ctx)
        .iter()
        .find(|bnd| bnd.keys.split(' ').any(|s| spec(s).as_ref() == Some(key)))
        .map(|bnd| bnd.cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::parse_script;

    const ALL: [Ctx; 12] = [
        Ctx::Queue,
        Ctx::Item,
        Ctx::Editor,
        Ctx::Help,
        Ctx::Palette,
        Ctx::Prompt,
        Ctx::Picker,
        Ctx::Confirm,
        Ctx::Conflict,
        Ctx::Diff,
        Ctx::Bulk,
        Ctx::Reports,
    ];

    #[test]
    fn every_binding_parses_and_no_key_is_bound_twice() {
        for ctx in ALL {
            let mut seen = std::collections::HashSet::new();
            for bnd in bindings(ctx) {
                for s in bnd.keys.split(' ') {
                    let k = spec(s).unwrap_or_else(|| panic!("{ctx:?}: bad key {s}"));
                    assert!(seen.insert(k), "{ctx:?}: {s} bound twice");
                    assert!(!k.alt, "{ctx:?}: {s} uses Alt");
                }
            }
        }
    }

    #[test]
    fn esc_never_destroys() {
        let esc = parse_script("<Esc>").unwrap()[0];
        for ctx in ALL {
            let c = resolve(ctx, &esc);
            assert!(
                matches!(c, None | Some(Cmd::Close | Cmd::Back | Cmd::ClearView)),
                "{ctx:?}: Esc is {c:?}"
            );
        }
    }

    #[test]
    fn text_contexts_pass_letters_through() {
        let q = parse_script("q").unwrap()[0];
        assert_eq!(resolve(Ctx::Prompt, &q), None);
        assert_eq!(resolve(Ctx::Editor, &q), None);
        assert_eq!(resolve(Ctx::Queue, &q), Some(Cmd::Quit));
    }
}
