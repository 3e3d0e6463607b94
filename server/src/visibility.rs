//! Who may see what: the one place that decides, used by reads (as SQL) and by
//! realtime fan-out (as an audience of rooms).

use crate::realtime::Audience;
use app::model::{Post, Privacy, UserId};

/// SQL predicate over `posts p`: visible to the viewer bound as `$1`.
/// Keep in step with [`can_see`] and [`audience`].
pub const SQL_VISIBLE_TO_1: &str = "(p.privacy = 'public' OR p.author_id = $1)";

/// May `viewer` see `post`?
pub fn can_see(viewer: UserId, post: &Post) -> bool {
    match post.privacy {
        Privacy::Public => true,
        Privacy::Private => post.author.id == viewer,
    }
}

/// Every connected user allowed to see a post with this author and privacy.
pub fn audience(author: UserId, privacy: Privacy) -> Audience {
    match privacy {
        Privacy::Public => Audience::Everyone,
        Privacy::Private => Audience::Users(vec![author]),
    }
}

/// Those who may see it under `privacy` but not under `before` (`gained`), and the
/// reverse (`lost`), the author excluded: an edit that changes privacy tells the first
/// the post was created and the second that it was deleted.
pub fn change(
    author: UserId,
    before: Privacy,
    after: Privacy,
) -> (Option<Audience>, Option<Audience>) {
    let others = || Audience::EveryoneExcept(vec![author]);
    match (before, after) {
        (Privacy::Private, Privacy::Public) => (Some(others()), None),
        (Privacy::Public, Privacy::Private) => (None, Some(others())),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{PostColor, PostId, UserSummary};

    fn post(author: i64, privacy: Privacy) -> Post {
        Post {
            id: PostId(1),
            author: UserSummary {
                id: UserId(author),
                username: "a".into(),
            },
            text: "t".into(),
            color: PostColor::Plain,
            feeling: None,
            privacy,
            created_at: 0,
            edited_at: None,
        }
    }

    #[test]
    fn private_posts_are_the_authors_alone() {
        assert!(can_see(UserId(1), &post(1, Privacy::Private)));
        assert!(!can_see(UserId(2), &post(1, Privacy::Private)));
        assert!(can_see(UserId(2), &post(1, Privacy::Public)));
        assert_eq!(
            audience(UserId(1), Privacy::Private),
            Audience::Users(vec![UserId(1)])
        );
        assert_eq!(audience(UserId(1), Privacy::Public), Audience::Everyone);
    }

    #[test]
    fn privacy_changes_tell_the_others() {
        let others = Some(Audience::EveryoneExcept(vec![UserId(1)]));
        assert_eq!(
            change(UserId(1), Privacy::Private, Privacy::Public),
            (others.clone(), None)
        );
        assert_eq!(
            change(UserId(1), Privacy::Public, Privacy::Private),
            (None, others)
        );
        assert_eq!(
            change(UserId(1), Privacy::Public, Privacy::Public),
            (None, None)
        );
    }
}
