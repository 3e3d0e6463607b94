//! Comments and reactions: on posts the actor may see, never across a block.

use super::Services;
use crate::{
    db::now_ms,
    error::Result,
    store::{self, notifications::NewNotification},
    visibility,
};
use app::{
    error::ApiError,
    events::{CommentCreated, CommentPayload, ReactionState, ReactionsChanged, ReactionsPayload},
    model::{
        BoundedText, COMMENT_PAGE_SIZE, COMMENT_TEXT_MAX, Comment, CommentDraft, CommentId,
        CommentPage, NotificationKind, Post, PostId, ReactionKind, Reactor,
    },
    service::Viewer,
};

impl Services {
    /// A post the viewer may act on: 404 if missing or hidden by its privacy, 403
    /// `blocked` if the viewer and its author are blocked either way.
    async fn post_to_act_on(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        id: PostId,
    ) -> Result<Post> {
        let me = viewer.user.id;
        if let Some(post) = store::posts::get_visible(conn, me, id).await? {
            return Ok(post);
        }
        match store::posts::get(conn, me, id).await? {
            Some(post) if store::graph::is_blocked_pair(conn, me, post.author.id).await? => {
                Err(ApiError::blocked().into())
            }
            _ => Err(ApiError::not_found("Post").into()),
        }
    }

    /// Comments on a post, then tells everyone who sees the post (but those blocked
    /// with the commenter) the comment and the new count.
    pub async fn add_comment(
        &self,
        viewer: &Viewer,
        post_id: PostId,
        draft: CommentDraft,
    ) -> Result<Comment> {
        let text = BoundedText::parse(&draft.text, "text", COMMENT_TEXT_MAX)?.into_inner();
        let mut tx = self.db().begin().await?;
        let post = self.post_to_act_on(&mut tx, viewer, post_id).await?;
        let comment =
            store::comments::insert(&mut tx, post_id, viewer.user.id, &text, now_ms()).await?;
        let comment_count = store::comments::count(&mut tx, post_id).await?;
        let notification = NewNotification {
            user: post.author.id,
            kind: NotificationKind::Comment,
            actor: viewer.user.id,
            post: Some(post_id),
            conversation: None,
            reaction: None,
            excerpt: &text,
        };
        let written = self.notify_in(&mut tx, notification).await?;
        tx.commit().await?;
        let (author, privacy, actor) = (post.author.id, post.privacy, viewer.user.id);
        let payload = CommentPayload {
            comment: comment.clone(),
            comment_count,
        };
        self.fan_out_by::<CommentCreated>(Some(actor), &payload, async |c| {
            visibility::audience_of_act(c, author, privacy, actor).await
        })
        .await?;
        self.announce_notification(written).await?;
        Ok(comment)
    }

    /// A page of a post's comments, oldest first, without those of users blocked with the viewer.
    pub async fn comments(
        &self,
        viewer: &Viewer,
        post_id: PostId,
        after: Option<CommentId>,
    ) -> Result<CommentPage> {
        let mut conn = self.db().acquire().await?;
        store::posts::get_visible(&mut conn, viewer.user.id, post_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Post"))?;
        let fetched = store::comments::page(
            &mut conn,
            viewer.user.id,
            post_id,
            after,
            super::fetch_limit(COMMENT_PAGE_SIZE),
        )
        .await?;
        let (comments, next_after) = super::paged(fetched, COMMENT_PAGE_SIZE, |c| c.id);
        Ok(CommentPage {
            comments,
            next_after,
        })
    }

    /// Sets (or with `None` removes) the viewer's reaction. Changes to one post's reactions
    /// are serialised by a row lock and the counts are read in the same transaction, so
    /// the counts each change reports are exact; then everyone who sees the post (but
    /// those blocked with the reactor) gets them.
    pub async fn react(
        &self,
        viewer: &Viewer,
        post_id: PostId,
        kind: Option<ReactionKind>,
    ) -> Result<ReactionState> {
        let me = viewer.user.id;
        let mut tx = self.db().begin().await?;
        if !store::reactions::lock_post(&mut tx, post_id).await? {
            return Err(ApiError::not_found("Post").into());
        }
        let post = self.post_to_act_on(&mut tx, viewer, post_id).await?;
        let written = match kind {
            Some(kind) => {
                store::reactions::set(&mut tx, post_id, me, kind, now_ms()).await?;
                let notification = NewNotification {
                    user: post.author.id,
                    kind: NotificationKind::Reaction,
                    actor: me,
                    post: Some(post_id),
                    conversation: None,
                    reaction: Some(kind),
                    excerpt: "",
                };
                self.notify_in(&mut tx, notification).await?
            }
            None => {
                store::reactions::remove(&mut tx, post_id, me).await?;
                None
            }
        };
        let counts = store::reactions::counts(&mut tx, post_id).await?;
        tx.commit().await?;
        let (author, privacy) = (post.author.id, post.privacy);
        let payload = ReactionsPayload { post_id, counts };
        self.fan_out_by::<ReactionsChanged>(Some(me), &payload, async |c| {
            visibility::audience_of_act(c, author, privacy, me).await
        })
        .await?;
        if kind.is_some() {
            self.announce_notification(written).await?;
        } else if author != me {
            self.withdraw_notifications(author, me, NotificationKind::Reaction, Some(post_id))
                .await?;
        }
        Ok(ReactionState {
            post_id,
            counts,
            mine: kind,
        })
    }

    /// Who reacted to a post and how, without users blocked with the viewer.
    pub async fn reactors(&self, viewer: &Viewer, post_id: PostId) -> Result<Vec<Reactor>> {
        let mut conn = self.db().acquire().await?;
        store::posts::get_visible(&mut conn, viewer.user.id, post_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Post"))?;
        Ok(store::reactions::reactors(&mut conn, viewer.user.id, post_id).await?)
    }
}
