//! Data shared by pages, server functions, the JSON API and socket events,
//! and the domain types that parse raw input once at the edge.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};

mod chat;
mod notify;
pub use chat::*;
pub use notify::*;

/// A user's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A post's id; ids grow with time, so they double as the feed cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

/// What other users may know of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// The user's id.
    pub id: UserId,
    /// The user's unique name.
    pub username: String,
}

/// Who is signed in and what awaits them, as a page loads: what every page's header
/// shows, in one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in user; `None` when signed out.
    pub user: Option<UserSummary>,
    /// Unread chat messages (0 when signed out).
    pub unread_messages: i64,
    /// Unread notifications (0 when signed out).
    pub unread_notifications: i64,
}

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Every signed-in user.
    #[default]
    Public,
    /// The author and their followers.
    Followers,
    /// Only the author.
    Private,
}

impl Privacy {
    /// Every choice, in the order the composer offers them.
    pub const ALL: [Privacy; 3] = [Privacy::Public, Privacy::Followers, Privacy::Private];
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Followers => "followers",
            Privacy::Private => "private",
        }
    }
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Privacy::Public => "Public",
            Privacy::Followers => "Followers",
            Privacy::Private => "Only me",
        }
    }
}

macro_rules! palette {
    ($($variant:ident = $name:literal, $hex:literal;)*) => {
        /// A post's background colour, from a fixed palette.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
        #[serde(rename_all = "snake_case")]
        pub enum PostColor {
            #[default]
            $(
                #[doc = concat!("The `", $name, "` background.")]
                $variant,
            )*
        }
        impl PostColor {
            /// Every colour, in palette order.
            pub const ALL: &'static [PostColor] = &[$(PostColor::$variant),*];
            /// The stored and wire name.
            pub fn as_str(self) -> &'static str { match self { $(PostColor::$variant => $name),* } }
            /// The CSS colour.
            pub fn css(self) -> &'static str { match self { $(PostColor::$variant => $hex),* } }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|c| c.as_str() == s) }
        }
    };
}

palette! {
    Plain = "plain", "#ffffff";
    Sky = "sky", "#dbeafe";
    Mint = "mint", "#dcfce7";
    Sun = "sun", "#fef9c3";
    Rose = "rose", "#ffe4e6";
    Lilac = "lilac", "#ede9fe";
    Peach = "peach", "#ffedd5";
}

macro_rules! feelings {
    ($($variant:ident = $name:literal, $emoji:literal;)*) => {
        /// How the author feels, shown next to their name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Feeling {
            $(
                #[doc = concat!("Feeling ", $name, ".")]
                $variant,
            )*
        }
        impl Feeling {
            /// Every feeling, in menu order.
            pub const ALL: &'static [Feeling] = &[$(Feeling::$variant),*];
            /// The stored and wire name.
            pub fn as_str(self) -> &'static str { match self { $(Feeling::$variant => $name),* } }
            /// The emoji shown with it.
            pub fn emoji(self) -> &'static str { match self { $(Feeling::$variant => $emoji),* } }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|f| f.as_str() == s) }
        }
    };
}

feelings! {
    Happy = "happy", "😊";
    Loved = "loved", "🥰";
    Excited = "excited", "🤩";
    Grateful = "grateful", "🙏";
    Relaxed = "relaxed", "😌";
    Tired = "tired", "😴";
    Sad = "sad", "😢";
    Angry = "angry", "😠";
}

/// A post as stored, with its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The stored id.
    pub id: PostId,
    /// Who wrote it.
    pub author: UserSummary,
    /// The text, 1 to 5000 characters.
    pub text: String,
    /// Background colour.
    pub color: PostColor,
    /// Optional feeling.
    pub feeling: Option<Feeling>,
    /// Who may see it.
    pub privacy: Privacy,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Last edit time, if edited.
    pub edited_at: Option<i64>,
    /// How many comments it has.
    #[serde(default)]
    pub comment_count: i64,
    /// How many reactions of each kind it has.
    #[serde(default)]
    pub reactions: ReactionCounts,
    /// The reader's own reaction (reads only; events leave it out).
    #[serde(default)]
    pub my_reaction: Option<ReactionKind>,
}

/// A page of the feed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FeedPage {
    /// Up to [`FEED_PAGE_SIZE`] posts.
    pub posts: Vec<Post>,
    /// Pass as `before` to get the next (older) page; `None` at the end.
    pub next_before: Option<PostId>,
}

/// How many posts one feed page holds.
pub const FEED_PAGE_SIZE: usize = 20;

/// What a client sends to create a post (and, with an id, to edit one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostDraft {
    /// The text; trimmed, then 1 to 5000 characters.
    pub text: String,
    /// Background colour.
    #[serde(default)]
    pub color: PostColor,
    /// Optional feeling.
    #[serde(default)]
    pub feeling: Option<Feeling>,
    /// Who may see it.
    #[serde(default)]
    pub privacy: Privacy,
}

/// A comment's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommentId(pub i64);

/// A comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The stored id.
    pub id: CommentId,
    /// The post it belongs to.
    pub post_id: PostId,
    /// Who wrote it.
    pub author: UserSummary,
    /// The text, 1 to 2000 characters.
    pub text: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// A page of a post's comments, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CommentPage {
    /// Up to [`COMMENT_PAGE_SIZE`] comments.
    pub comments: Vec<Comment>,
    /// Pass as `after` to get the next page; `None` at the end.
    pub next_after: Option<CommentId>,
}

/// How many comments one page holds.
pub const COMMENT_PAGE_SIZE: usize = 50;
/// The most characters a comment may have.
pub const COMMENT_TEXT_MAX: usize = 2000;

/// What a client sends to comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentDraft {
    /// The text; trimmed, then 1 to 2000 characters.
    pub text: String,
}

macro_rules! reaction_kinds {
    ($($variant:ident = $name:literal, $emoji:literal, $field:ident;)*) => {
        /// A reaction to a post; one per user per post.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ReactionKind {
            $(
                #[doc = concat!("The `", $name, "` reaction.")]
                $variant,
            )*
        }
        impl ReactionKind {
            /// Every kind, in toolbar order.
            pub const ALL: &'static [ReactionKind] = &[$(ReactionKind::$variant),*];
            /// The stored and wire name.
            pub fn as_str(self) -> &'static str { match self { $(ReactionKind::$variant => $name),* } }
            /// Its emoji.
            pub fn emoji(self) -> &'static str { match self { $(ReactionKind::$variant => $emoji),* } }
            /// Its button's accessible name, `React like`.
            pub fn label(self) -> &'static str { match self { $(ReactionKind::$variant => concat!("React ", $name)),* } }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|k| k.as_str() == s) }
        }
        /// How many reactions of each kind a post has.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
        pub struct ReactionCounts {
            $(
                #[doc = concat!("`", $name, "` reactions.")]
                #[serde(default)]
                pub $field: i64,
            )*
        }
        impl ReactionCounts {
            /// The count of one kind.
            pub fn get(&self, kind: ReactionKind) -> i64 { match kind { $(ReactionKind::$variant => self.$field),* } }
            /// A mutable count of one kind.
            pub fn get_mut(&mut self, kind: ReactionKind) -> &mut i64 { match kind { $(ReactionKind::$variant => &mut self.$field),* } }
            /// All reactions together.
            pub fn total(&self) -> i64 { 0 $(+ self.$field)* }
        }
    };
}

reaction_kinds! {
    Like = "like", "👍", like;
    Love = "love", "❤️", love;
    Happy = "happy", "😆", happy;
    Wow = "wow", "😮", wow;
    Sad = "sad", "😢", sad;
    Angry = "angry", "😡", angry;
}

/// One person's reaction, for "who reacted".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactor {
    /// Who.
    pub user: UserSummary,
    /// How.
    pub kind: ReactionKind,
}

/// The reaction a client wants to have on a post (removing it is a separate call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionChoice {
    /// The reaction to have.
    pub kind: ReactionKind,
}

/// A user's public profile, with counts and what the viewer has to do with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Who.
    pub user: UserSummary,
    /// Their editable details.
    pub info: ProfileInfo,
    /// How many follow them.
    pub followers: i64,
    /// How many they follow.
    pub following: i64,
    /// Does the viewer follow them?
    pub followed_by_me: bool,
    /// Has the viewer blocked them?
    pub blocked_by_me: bool,
}

/// The details a user edits on their profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProfileInfo {
    /// A short bio, at most 160 characters.
    #[serde(default)]
    pub bio: String,
    /// Where they are, at most 60 characters.
    #[serde(default)]
    pub location: String,
    /// An http(s) URL, at most 200 characters, or empty.
    #[serde(default)]
    pub website: String,
}

impl ProfileInfo {
    /// Trims and validates every field.
    pub fn parse(raw: ProfileInfo) -> Result<Self, ApiError> {
        fn bounded(value: &str, field: &str, max: usize) -> Result<String, ApiError> {
            let v = value.trim();
            if v.chars().count() > max {
                return Err(ApiError::validation(
                    field,
                    format!("This is longer than {max} characters."),
                ));
            }
            if v.chars().any(|c| c.is_control() && c != '\n') {
                return Err(ApiError::validation(
                    field,
                    "This contains characters that are not allowed.",
                ));
            }
            Ok(v.to_owned())
        }
        let website = bounded(&raw.website, "website", 200)?;
        if !website.is_empty() {
            let rest = website
                .strip_prefix("https://")
                .or_else(|| website.strip_prefix("http://"));
            let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            if !host.is_some_and(|h| h.contains('.') && !h.contains(char::is_whitespace))
                || website.contains(char::is_whitespace)
            {
                return Err(ApiError::validation(
                    "website",
                    "Enter a full http:// or https:// address.",
                ));
            }
        }
        Ok(Self {
            bio: bounded(&raw.bio, "bio", 160)?,
            location: bounded(&raw.location, "location", 60)?.replace('\n', " "),
            website,
        })
    }
}

/// A user as listed on the people page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCard {
    /// Who.
    pub user: UserSummary,
    /// Their bio.
    pub bio: String,
    /// How many follow them.
    pub followers: i64,
    /// Does the viewer follow them?
    pub followed_by_me: bool,
    /// Were they online when this was answered? The tab's live presence replaces it
    /// once the tab watches presence.
    #[serde(default)]
    pub online: bool,
}

/// A page of people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PeoplePage {
    /// Up to [`PEOPLE_PAGE_SIZE`] people.
    pub people: Vec<UserCard>,
    /// Pass as `after` to get the next page; `None` at the end.
    pub next_after: Option<UserId>,
}

/// How many people one page holds.
pub const PEOPLE_PAGE_SIZE: usize = 20;

/// Credentials for signing up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignUpForm {
    /// Wanted username.
    pub username: String,
    /// Email address.
    pub email: String,
    /// Password, at least 8 characters.
    pub password: String,
}

/// Credentials for signing in (username or email).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInForm {
    /// Username or email.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A username: 3 to 30 ASCII letters, digits or `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Parses raw input.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let s = raw.trim();
        let len = s.chars().count();
        if len < 3 {
            return Err(ApiError::validation(
                "username",
                "Username must be at least 3 characters.",
            ));
        }
        if len > 30 {
            return Err(ApiError::validation(
                "username",
                "Username must be at most 30 characters.",
            ));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ApiError::validation(
                "username",
                "Username may contain only letters, digits and _.",
            ));
        }
        Ok(Self(s.to_owned()))
    }
    /// The validated name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, lower-cased: one `@`, a non-empty local part, a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses raw input.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let s = raw.trim().to_lowercase();
        let bad = || ApiError::validation("email", "Enter a valid email address.");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || !labels_ok
        {
            return Err(bad());
        }
        Ok(Self(s))
    }
    /// The validated address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password: 8 to 128 characters. Never logged, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Parses raw input (not trimmed: spaces are characters too).
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let len = raw.chars().count();
        if len < 8 {
            return Err(ApiError::validation(
                "password",
                "Password must be at least 8 characters.",
            ));
        }
        if len > 128 {
            return Err(ApiError::validation(
                "password",
                "Password must be at most 128 characters.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Trimmed text of bounded length (post text, later comments and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText(String);

impl BoundedText {
    /// Parses raw input for `field`, 1 to `max` characters after trimming.
    pub fn parse(raw: &str, field: &str, max: usize) -> Result<Self, ApiError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ApiError::validation(field, "This cannot be empty."));
        }
        if s.chars().count() > max {
            return Err(ApiError::validation(
                field,
                format!("This is longer than {max} characters."),
            ));
        }
        Ok(Self(s.to_owned()))
    }
    /// The validated text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The most characters a post's text may have.
pub const POST_TEXT_MAX: usize = 5000;

/// A post draft whose text has been validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPost {
    /// The trimmed text.
    pub text: String,
    /// Background colour.
    pub color: PostColor,
    /// Optional feeling.
    pub feeling: Option<Feeling>,
    /// Who may see it.
    pub privacy: Privacy,
}

impl ValidPost {
    /// Validates a draft.
    pub fn parse(draft: PostDraft) -> Result<Self, ApiError> {
        let text = BoundedText::parse(&draft.text, "text", POST_TEXT_MAX)?.into_inner();
        Ok(Self {
            text,
            color: draft.color,
            feeling: draft.feeling,
            privacy: draft.privacy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<impl std::fmt::Debug, ApiError>) -> (String, String) {
        let e = r.expect_err("should be rejected");
        (e.field.unwrap_or_default(), e.message)
    }

    #[test]
    fn usernames() {
        for ok in ["abc", "a_b_c", "Zed123", &"x".repeat(30), "  padded  "] {
            assert!(Username::parse(ok).is_ok(), "{ok:?} should be accepted");
        }
        let bad = [
            ("", "at least 3"),
            ("ab", "at least 3"),
            (&"x".repeat(31), "at most 30"),
            ("has space", "only letters"),
            ("dash-ed", "only letters"),
            ("émile", "only letters"),
            ("semi;colon", "only letters"),
        ];
        for (input, expected) in bad {
            let (field, msg) = field_of(Username::parse(input));
            assert_eq!(field, "username");
            assert!(msg.contains(expected), "{input:?}: {msg}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ann@Example.ORG ").unwrap().as_str(),
            "ann@example.org"
        );
        for bad in [
            "",
            "plain",
            "@x.org",
            "a@",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
            "a@b..org",
            "a@-b.org",
        ] {
            let (field, _) = field_of(Email::parse(bad));
            assert_eq!(field, "email", "{bad:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse("        ").is_ok(), "spaces count");
        for (bad, expected) in [
            ("", "at least 8"),
            ("1234567", "at least 8"),
            (&"p".repeat(129) as &str, "at most 128"),
        ] {
            let (field, msg) = field_of(Password::parse(bad));
            assert_eq!(field, "password");
            assert!(msg.contains(expected), "{msg}");
        }
        assert_eq!(
            format!("{:?}", Password::parse("secret-pass").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn post_text() {
        let draft = |t: &str| PostDraft {
            text: t.into(),
            color: PostColor::Sky,
            feeling: None,
            privacy: Privacy::Public,
        };
        assert_eq!(ValidPost::parse(draft("  hi  ")).unwrap().text, "hi");
        assert!(
            ValidPost::parse(draft(&"é".repeat(POST_TEXT_MAX))).is_ok(),
            "counts characters, not bytes"
        );
        for (bad, expected) in [
            ("", "empty"),
            ("   \n\t", "empty"),
            (&"x".repeat(POST_TEXT_MAX + 1) as &str, "longer than 5000"),
        ] {
            let (field, msg) = field_of(ValidPost::parse(draft(bad)));
            assert_eq!(field, "text");
            assert!(msg.contains(expected), "{msg}");
        }
    }

    #[test]
    fn comment_text() {
        assert!(
            BoundedText::parse(&"c".repeat(COMMENT_TEXT_MAX), "text", COMMENT_TEXT_MAX).is_ok()
        );
        let (field, msg) = field_of(BoundedText::parse(
            &"c".repeat(COMMENT_TEXT_MAX + 1),
            "text",
            COMMENT_TEXT_MAX,
        ));
        assert_eq!(field, "text");
        assert!(msg.contains("2000"), "{msg}");
    }

    #[test]
    fn profile_info() {
        let info = |bio: &str, location: &str, website: &str| ProfileInfo {
            bio: bio.into(),
            location: location.into(),
            website: website.into(),
        };
        let ok = ProfileInfo::parse(info(" hi ", "Lyon", "https://example.org/me")).unwrap();
        assert_eq!(
            (ok.bio.as_str(), ok.website.as_str()),
            ("hi", "https://example.org/me")
        );
        assert!(ProfileInfo::parse(info("", "", "")).is_ok(), "all optional");
        let bad = [
            (info(&"b".repeat(161), "", ""), "bio"),
            (info("", &"l".repeat(61), ""), "location"),
            (info("", "", "example.org"), "website"),
            (info("", "", "javascript:alert(1)"), "website"),
            (info("", "", "https://"), "website"),
            (info("", "", "https://exa mple.org"), "website"),
            (
                info("", "", &format!("https://{}.org", "w".repeat(200))),
                "website",
            ),
            (info("bell\u{7}", "", ""), "bio"),
        ];
        for (input, field) in bad {
            let (got, _) = field_of(ProfileInfo::parse(input.clone()));
            assert_eq!(got, field, "{input:?}");
        }
    }

    #[test]
    fn reaction_counts() {
        let mut c = ReactionCounts::default();
        *c.get_mut(ReactionKind::Wow) += 2;
        *c.get_mut(ReactionKind::Like) += 1;
        assert_eq!((c.get(ReactionKind::Wow), c.total()), (2, 3));
        for k in ReactionKind::ALL {
            assert_eq!(ReactionKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(ReactionKind::Love.label(), "React love");
    }

    #[test]
    fn enums_round_trip_their_names() {
        for c in PostColor::ALL {
            assert_eq!(PostColor::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for f in Feeling::ALL {
            assert_eq!(Feeling::parse(f.as_str()), Some(*f));
        }
        for p in Privacy::ALL {
            assert_eq!(Privacy::parse(p.as_str()), Some(p));
        }
        assert!(serde_json::from_str::<PostColor>("\"neon\"").is_err());
    }
}
