//! A submission (*tin, bài*) and its parts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Workflow states (DESIGN.md "Workflow").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Received,
    Triaged,
    Editing,
    Verified,
    Approved,
    Published,
    Returned,
    Escalated,
    Rejected,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 10] = [
        State::Received,
        State::Triaged,
        State::Editing,
        State::Verified,
        State::Approved,
        State::Published,
        State::Returned,
        State::Escalated,
        State::Rejected,
        State::Withdrawn,
    ];

    /// Whether an item in this state counts as the original of a duplicate (refusal ground
    /// "trùng lặp": what is published or pending, not what was refused or withdrawn).
    pub fn may_be_duplicated(self) -> bool {
        !matches!(self, State::Rejected | State::Withdrawn)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Triaged => "triaged",
            State::Editing => "editing",
            State::Verified => "verified",
            State::Approved => "approved",
            State::Published => "published",
            State::Returned => "returned",
            State::Escalated => "escalated",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        let s = s.trim().to_lowercase();
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s || st.label(Lang::Vi) == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            State::Received => lang.pick("mới nhận", "received"),
            State::Triaged => lang.pick("đã phân loại", "triaged"),
            State::Editing => lang.pick("đang biên tập", "editing"),
            State::Verified => lang.pick("đã kiểm tra", "verified"),
            State::Approved => lang.pick("đã duyệt", "approved"),
            State::Published => lang.pick("đã đăng", "published"),
            State::Returned => lang.pick("trả lại", "returned"),
            State::Escalated => lang.pick("xin ý kiến", "escalated"),
            State::Rejected => lang.pick("từ chối", "rejected"),
            State::Withdrawn => lang.pick("đã gỡ", "withdrawn"),
        }
    }

    /// Whether a posting deadline is running: the board still owes the item a decision or a
    /// publication (returned items wait on the submitter; finished ones are done).
    pub fn deadline_runs(self) -> bool {
        matches!(
            self,
            State::Received
                | State::Triaged
                | State::Editing
                | State::Verified
                | State::Approved
                | State::Escalated
        )
    }

    /// SQL list of the states whose deadline runs, for queries.
    pub const DEADLINE_RUNS_SQL: &'static str =
        "('received','triaged','editing','verified','approved','escalated')";

    /// Still moving through the board (not finished one way or another).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            State::Published | State::Rejected | State::Withdrawn | State::Returned
        )
    }
}

/// Who sent the item. Kept confidential on request (000/001 Điều 4.2): never exported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub title: String,
    pub organisation: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub confidential: bool,
}

impl Identity {
    /// The details a board completes or corrects after intake, by the key `bientap submitter`,
    /// the console and the audit log name them.
    pub const DETAILS: [&'static str; 6] =
        ["name", "title", "organisation", "email", "phone", "address"];

    /// The label of one of [`Identity::DETAILS`] (the key itself for another).
    pub fn detail_label(key: &str, lang: crate::i18n::Lang) -> &str {
        let (vi, en) = match key {
            "name" => ("họ tên", "name"),
            "title" => ("chức danh", "title"),
            "organisation" => ("cơ quan, đơn vị", "agency or unit"),
            "email" => ("thư điện tử", "e-mail"),
            "phone" => ("điện thoại", "phone"),
            "address" => ("địa chỉ", "address"),
            other => (other, other),
        };
        lang.pick(vi, en)
    }

    /// One of [`Identity::DETAILS`] by its key.
    pub fn detail(&self, key: &str) -> Option<&str> {
        let d = match key {
            "name" => &self.name,
            "title" => &self.title,
            "organisation" => &self.organisation,
            "email" => &self.email,
            "phone" => &self.phone,
            "address" => &self.address,
            _ => return None,
        };
        Some(d)
    }

    /// [`Identity::detail`], to change it.
    pub fn detail_mut(&mut self, key: &str) -> Option<&mut String> {
        let d = match key {
            "name" => &mut self.name,
            "title" => &mut self.title,
            "organisation" => &mut self.organisation,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            "address" => &mut self.address,
            _ => return None,
        };
        Some(d)
    }

    pub fn display(&self) -> String {
        let mut s = self.name.clone();
        if !self.organisation.is_empty() {
            if !s.is_empty() {
                s.push_str(" — ");
            }
            s.push_str(&self.organisation);
        }
        if s.is_empty() {
            s = self.email.clone();
        }
        s
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Written by the submitter or the agency.
    #[default]
    Original,
    /// Quoted or collected from elsewhere: author, source and first publication date required.
    Quoted,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Original => "original",
            SourceKind::Quoted => "quoted",
        }
    }
    pub fn parse(s: &str) -> Option<SourceKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "original" | "goc" | "gốc" => Some(SourceKind::Original),
            "quoted" | "trich" | "trích" | "trich-dan" => Some(SourceKind::Quoted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub kind: SourceKind,
    pub author: String,
    /// Name of the source (newspaper, site, agency).
    pub source_name: String,
    pub source_url: String,
    /// When the quoted material was first published.
    pub source_date: Option<NaiveDate>,
}

impl Attribution {
    /// Which attribution fields are missing for quoted material (000/001 Điều 11.3; 003 Điều 9.3).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.kind == SourceKind::Quoted {
            if self.author.trim().is_empty() {
                m.push("author");
            }
            if self.source_name.trim().is_empty() && self.source_url.trim().is_empty() {
                m.push("source");
            }
            if self.source_date.is_none() {
                m.push("source_date");
            }
        }
        m
    }
}

/// The agency head's opinion on a sensitive item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Opinion {
    Agree,
    Disagree,
}

impl Opinion {
    pub fn as_str(self) -> &'static str {
        match self {
            Opinion::Agree => "agree",
            Opinion::Disagree => "disagree",
        }
    }
    pub fn parse(s: &str) -> Option<Opinion> {
        match s {
            "agree" => Some(Opinion::Agree),
            "disagree" => Some(Opinion::Disagree),
            _ => None,
        }
    }
}

/// What the workflow needs to know about an item to decide a transition.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFacts {
    pub state: State,
    /// Number of approval steps completed.
    pub step: usize,
    pub category: String,
    pub sensitive: bool,
    pub opinion: Option<Opinion>,
    /// State before escalation (to come back to after the opinion).
    pub escalated_from: Option<State>,
    pub assignee: Option<String>,
    /// Logins that edited the item's content.
    pub editors: Vec<String>,
    /// Logins that took a verify (or edit) step on it.
    pub verifiers: Vec<String>,
}

/// The editable content of an item; every change keeps the previous revision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub title: String,
    pub lead: String,
    pub body: String,
    pub attribution: Attribution,
}

/// How a person confirmed a source (000/001 Điều 10.1.a; 002 Điều 12.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactMethod {
    Phone,
    Email,
    InPerson,
    Document,
}

impl ContactMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Phone => "phone",
            ContactMethod::Email => "email",
            ContactMethod::InPerson => "in-person",
            ContactMethod::Document => "document",
        }
    }
    pub fn parse(s: &str) -> Option<ContactMethod> {
        match s.trim().to_ascii_lowercase().as_str() {
            "phone" | "dien-thoai" | "điện-thoại" => Some(ContactMethod::Phone),
            "email" | "thu" | "thư" => Some(ContactMethod::Email),
            "in-person" | "truc-tiep" | "trực-tiếp" => Some(ContactMethod::InPerson),
            "document" | "van-ban" | "văn-bản" => Some(ContactMethod::Document),
            _ => None,
        }
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ContactMethod::Phone => lang.pick("điện thoại", "phone"),
            ContactMethod::Email => lang.pick("thư điện tử", "email"),
            ContactMethod::InPerson => lang.pick("trực tiếp", "in person"),
            ContactMethod::Document => lang.pick("văn bản", "document"),
        }
    }
}

/// A timestamp helper kept here so that the domain never reads the clock itself.
pub type Time = DateTime<Utc>;
