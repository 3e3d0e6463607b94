//! Strings a page builds many times, built without `format!`: its machinery costs a
//! few hundred instructions a call where copying the parts costs tens, and a feed page
//! builds several per post (links, dates, counts) on every server render.

use crate::model::PostId;

/// Appends `n` in decimal, zero-padded to at least `width` characters, sign included
/// (as `format!("{n:0width$}")`).
pub fn push_int(out: &mut String, n: i64, width: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    for _ in (digits.len() - start + usize::from(n < 0))..width {
        out.push('0');
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

/// `/u/{username}`: a user's profile.
pub fn profile_path(username: &str) -> String {
    ["/u/", username].concat()
}

/// `/chat/{username}`: the conversation with a user.
pub fn chat_path(username: &str) -> String {
    ["/chat/", username].concat()
}

/// The first letter of a name, upper case, for an avatar ("?" for no name).
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .collect::<String>()
}

/// `/posts/{id}`: a post's own page.
pub fn post_path(id: PostId) -> String {
    let mut path = String::with_capacity(16);
    path.push_str("/posts/");
    push_int(&mut path, id.0, 1);
    path
}

/// `1 comment`, `2 comments`.
pub fn comment_count(n: i64) -> String {
    counted(n, "comment", "comments")
}

/// "1 follower", "0 followers", "12 followers".
pub fn follower_count(n: i64) -> String {
    counted(n, "follower", "followers")
}

/// `n` and the noun that goes with it ([`noun`]).
pub fn counted(n: i64, one: &str, many: &str) -> String {
    let mut text = String::with_capacity(8 + many.len());
    push_int(&mut text, n, 1);
    text.push(' ');
    text.push_str(noun(n, one, many));
    text
}

/// The noun for a count of `n`: `one` for 1, `many` for any other count.
pub fn noun<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64, width: usize) -> String {
        let mut s = String::new();
        push_int(&mut s, n, width);
        s
    }

    #[test]
    fn integers_as_format_writes_them() {
        for (n, width) in [
            (0, 1),
            (7, 2),
            (42, 2),
            (2026, 4),
            (12, 4),
            (-5, 1),
            (-5, 3),
        ] {
            assert_eq!(int(n, width), format!("{n:0width$}"), "{n} at {width}");
        }
        assert_eq!(int(i64::MIN, 1), i64::MIN.to_string());
        assert_eq!(int(i64::MAX, 1), i64::MAX.to_string());
    }

    #[test]
    fn paths_and_counts() {
        assert_eq!(profile_path("ann"), "/u/ann");
        assert_eq!(chat_path("ann"), "/chat/ann");
        assert_eq!(post_path(PostId(31)), "/posts/31");
        assert_eq!(comment_count(0), "0 comments");
        assert_eq!(comment_count(1), "1 comment");
        assert_eq!(comment_count(12), "12 comments");
        assert_eq!(follower_count(1), "1 follower");
        assert_eq!(follower_count(0), "0 followers");
        assert_eq!(follower_count(2), "2 followers");
    }

    #[test]
    fn initials() {
        assert_eq!(initial("ann"), "A");
        assert_eq!(initial("Zed"), "Z");
        assert_eq!(initial("émile"), "É");
        assert_eq!(initial(""), "?");
    }
}
