//! Chat: the conversation list and one conversation, both live.

use super::feed::{FeedSkeleton, LoadError};
use crate::api::{load_conversations, load_messages, open_chat};
use crate::components::live::while_connected;
use crate::components::presence::{OnlineDot, OnlineNow, Presence};
use crate::components::rows::Rows;
use crate::components::time::format_utc;
use crate::error::ErrorCode;
use crate::events::{
    DeleteMessage, DeleteMessageRequest, FocusChat, MarkConversationRead, MarkRead, MessageChanged,
    MessageReactionRequest, MessageReceived, MessageRemoved, MessagesRead, ReactToMessage,
    SendMessage, StartTyping, Typing, TypingNotice, UnreadChanged, UserHidden,
};
use crate::model::{
    ChatFocus, ChatOpen, ConversationId, MESSAGE_EMOJIS, MESSAGE_TEXT_MAX, Message, MessageId,
    MessagePage, OutgoingMessage,
};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use crate::text::{chat_path, initial, profile_path};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};
use std::time::Duration;

/// `/chat`: conversations, newest first, with unread counts; refreshed live.
#[component]
pub fn ChatListPage() -> impl IntoView {
    expect_context::<Presence>().load();
    let list = Resource::new(|| (), |_| load_conversations());
    let socket = expect_context::<SocketClient>();
    socket
        .on::<MessageReceived>(move |_| list.refetch())
        .until_cleanup();
    socket
        .on::<UnreadChanged>(move |_| list.refetch())
        .until_cleanup();
    socket
        .on::<UserHidden>(move |_| list.refetch())
        .until_cleanup();
    socket.on_reload(move || list.refetch()).until_cleanup();
    view! {
        <Title text="Chat · Chatty"/>
        <h1>"Chat"</h1>
        <OnlineNow link=chat_path/>
        <Transition fallback=FeedSkeleton>
            {move || list.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! {
                    <div class="card empty"><p>"No conversations yet. Find someone on the "<a href="/people">"people page"</a>"."</p></div>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="conversations" data-testid="conversations">
                        {list.into_iter().map(|c| view! {
                            <li>
                                <a class="card conversation" href=chat_path(&c.other.username) data-testid="conversation">
                                    <div class="avatar" aria-hidden="true">{c.other.username.chars().next().unwrap_or('?').to_ascii_uppercase().to_string()}</div>
                                    <div class="conversation-meta">
                                        <strong>{c.other.username.clone()}</strong>
                                        <p class="muted small preview">{c.last_message.as_ref().map(|m| if m.deleted { "Message deleted".to_owned() } else { m.text.clone() })}</p>
                                    </div>
                                    <div class="conversation-side">
                                        <span class="muted small">{c.last_message.as_ref().map(|m| format_utc(m.created_at))}</span>
                                        {(c.unread > 0).then(|| view! { <span class="badge unread">{c.unread}</span> })}
                                    </div>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Transition>
    }
}

/// `/chat/:username`: one conversation.
#[component]
pub fn ConversationPage() -> impl IntoView {
    // No `Presence::load`: the page shows one dot, and `ChatOpen` says whether it is lit.
    let params = use_params_map();
    let name = move || params.with(|p| p.get("username").unwrap_or_default());
    let data = Resource::new(name, |name| async move {
        let open = open_chat(name).await?;
        let page = load_messages(open.id, None).await?;
        Ok::<_, crate::error::ApiError>((open, page))
    });
    view! {
        <Suspense fallback=FeedSkeleton>
            {move || data.get().map(|d| match d {
                Ok((open, page)) => view! { <Conversation open=open page=page/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

/// Tells the server which conversation this tab shows, so its messages do not also
/// notify: on every (re)connection while `id` is on screen, and "none" when it goes.
fn focus_conversation(socket: &SocketClient, id: ConversationId) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    // Which page took the focus last: a page clears the focus only while it is still
    // its own (the next conversation may have taken it before this one is cleaned up).
    static FOCUS: AtomicU64 = AtomicU64::new(0);
    let mine = Arc::new(AtomicU64::new(0));
    let focus = {
        let (socket, mine) = (socket.clone(), mine.clone());
        move || {
            let generation = FOCUS.fetch_add(1, Ordering::Relaxed) + 1;
            mine.store(generation, Ordering::Relaxed);
            let reply = socket.emit::<FocusChat>(&ChatFocus {
                conversation_id: Some(id),
            });
            leptos::task::spawn_local(async move {
                if let Err(e) = reply.await {
                    leptos::logging::warn!("could not focus the conversation: {}", e.message);
                }
            });
        }
    };
    while_connected(socket, focus);
    #[cfg(feature = "hydrate")]
    {
        let socket = socket.clone();
        on_cleanup(move || {
            let generation = mine.load(Ordering::Relaxed);
            if generation == 0 || FOCUS.load(Ordering::Relaxed) != generation {
                return;
            }
            let done = socket.emit::<FocusChat>(&ChatFocus {
                conversation_id: None,
            });
            leptos::task::spawn_local(async move {
                let _ignored_when_offline = done.await;
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    drop(mine);
}

/// A client id for a message: unique enough per sender, reused by retries.
fn client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        format!(
            "{:x}-{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 4_294_967_296.0) as u64
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

#[component]
fn Conversation(open: ChatOpen, page: MessagePage) -> impl IntoView {
    let ChatOpen {
        id,
        other,
        other_read_up_to,
        other_online,
    } = open;
    let user = expect_context::<CurrentUser>();
    let me = Signal::derive(move || user.get().map(|u| u.id));
    let messages = RwSignal::new(page.messages);
    let older = RwSignal::new(page.next_before);
    let read_up_to = RwSignal::new(other_read_up_to);
    let typing = RwSignal::new(false);
    let typing_generation = StoredValue::new(0u64);
    let hidden = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let cooling = StoredValue::new(false);
    let socket = StoredValue::new(expect_context::<SocketClient>());

    let upsert = move |m: Message| {
        messages.update(|v| match v.iter().position(|x| x.id == m.id) {
            Some(i) => v[i] = m,
            None => {
                let at = v.iter().position(|x| x.id > m.id).unwrap_or(v.len());
                v.insert(at, m);
            }
        })
    };
    // Tell the server (and so the other person) how far this page has shown.
    let mark_read = move || {
        let newest = messages.with_untracked(|v| v.last().map(|m| m.id));
        if let Some(up_to) = newest {
            let reply = socket.with_value(|s| {
                s.emit::<MarkConversationRead>(&MarkRead {
                    conversation_id: id,
                    up_to,
                })
            });
            leptos::task::spawn_local(async move {
                if let Err(e) = reply.await {
                    leptos::logging::warn!("could not mark read: {}", e.message);
                }
            });
        }
    };
    // Opening the conversation reads it, once connected, and so does every reconnection
    // while it is open (an emit before the connection is up would only fail).
    let s = socket.get_value();
    focus_conversation(&s, id);
    while_connected(&s, mark_read);
    // Missed messages that could not be replayed: load the newest page again.
    s.on_reload(move || {
        leptos::task::spawn_local(async move {
            match load_messages(id, None).await {
                Ok(page) => {
                    page.messages.into_iter().for_each(upsert);
                    mark_read();
                }
                Err(e) => error.set(Some(e.message)),
            }
        })
    })
    .until_cleanup();
    s.on::<MessageReceived>(move |e| {
        if e.message.conversation_id == id {
            if e.message.sender.id == other.id {
                typing.set(false);
            }
            upsert(e.message);
            mark_read();
        }
    })
    .until_cleanup();
    s.on::<MessageChanged>(move |e| {
        if e.message.conversation_id == id {
            upsert(e.message)
        }
    })
    .until_cleanup();
    s.on::<MessageRemoved>(move |e| messages.update(|v| v.retain(|m| m.id != e.id)))
        .until_cleanup();
    s.on::<MessagesRead>(move |e| {
        if e.conversation_id == id && e.reader == other.id {
            read_up_to.update(|r| *r = (*r).max(e.up_to));
        }
    })
    .until_cleanup();
    s.on::<Typing>(move |e| {
        if e.conversation_id == id && e.user == other.id {
            typing.set(true);
            let generation = typing_generation.get_value() + 1;
            typing_generation.set_value(generation);
            set_timeout(
                move || {
                    if typing_generation.get_value() == generation {
                        typing.set(false)
                    }
                },
                Duration::from_secs(4),
            );
        }
    })
    .until_cleanup();
    s.on::<UserHidden>(move |e| {
        if e.user == other.id {
            hidden.set(true)
        }
    })
    .until_cleanup();

    let on_input = move |ev| {
        text.set(event_target_value(&ev));
        if !cooling.get_value() {
            cooling.set_value(true);
            let reply = socket.with_value(|s| {
                s.emit::<StartTyping>(&TypingNotice {
                    conversation_id: id,
                })
            });
            leptos::task::spawn_local(async move {
                let _typing_is_best_effort = reply.await;
            });
            set_timeout(move || cooling.set_value(false), Duration::from_secs(3));
        }
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let out = OutgoingMessage {
            to: other.id,
            client_id: client_id(),
            text: body,
        };
        let reply = socket.with_value(|s| s.emit::<SendMessage>(&out));
        text.set(String::new());
        leptos::task::spawn_local(async move {
            match reply.await {
                Ok(m) => {
                    error.set(None);
                    upsert(m);
                }
                Err(e) => {
                    error.set(Some(e.message));
                    text.set(out.text);
                }
            }
        });
    };
    let load_older = move |_| {
        let Some(before) = older.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match load_messages(id, Some(before)).await {
                Ok(page) => {
                    page.messages.into_iter().for_each(upsert);
                    older.set(page.next_before);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let act = move |req: ActOn| match req {
        ActOn::React(id, emoji) => {
            let reply = socket
                .with_value(|s| s.emit::<ReactToMessage>(&MessageReactionRequest { id, emoji }));
            leptos::task::spawn_local(async move {
                match reply.await {
                    Ok(m) => upsert(m),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
        ActOn::Delete(id, for_everyone) => {
            let reply = socket.with_value(|s| {
                s.emit::<DeleteMessage>(&DeleteMessageRequest { id, for_everyone })
            });
            leptos::task::spawn_local(async move {
                match reply.await {
                    Ok(r) if !for_everyone => messages.update(|v| v.retain(|m| m.id != r.id)),
                    Ok(_) => {}
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
    };
    let last_mine_seen = move || {
        let mine = me.get();
        let last_mine = messages.with(|v| {
            v.iter()
                .rev()
                .find(|m| Some(m.sender.id) == mine)
                .map(|m| m.id)
        });
        last_mine.filter(|m| *m <= read_up_to.get())
    };
    let other_name = StoredValue::new(other.username.clone());

    view! {
        <Title text=format!("{} · Chat · Chatty", other_name.get_value())/>
        <Show when=move || !hidden.get() fallback=|| view! {
            <div class="card empty" role="status"><p>"This conversation is not available."</p></div>
        }>
            <section class="card chat" aria-label=format!("Conversation with {}", other_name.get_value())>
                <header class="chat-head">
                    <span class="avatar small" aria-hidden="true">
                        {initial(&other_name.get_value())}
                    </span>
                    <a class="author" href=profile_path(&other_name.get_value())>{other_name.get_value()}</a>
                    <OnlineDot user=other.id online_at_load=other_online inline=true/>
                </header>
                <Show when=move || older.get().is_some()>
                    <button class="button small" type="button" on:click=load_older>"Load older messages"</button>
                </Show>
                <ol class="messages" data-testid="messages">
                    <Rows each=move || messages.get() key=|m| (m.id, m.deleted, m.reactions.len(), m.reactions.iter().map(|r| r.emoji.len()).sum::<usize>()) let:m>
                        <MessageView message=m me=me seen=Signal::derive(last_mine_seen) act=act/>
                    </Rows>
                </ol>
                <p class="typing" data-testid="typing" aria-live="polite">
                    {move || typing.get().then(|| format!("{} is typing…", other_name.get_value()))}
                </p>
                <form class="form chat-form" on:submit=send>
                    <label class="sr-only" for="message-text">"Write a message"</label>
                    <textarea id="message-text" rows="2" placeholder="Write a message" maxlength=MESSAGE_TEXT_MAX.to_string()
                        prop:value=move || text.get() on:input=on_input></textarea>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button class="button primary" type="submit">"Send"</button>
                </form>
            </section>
        </Show>
    }
}

/// Something done to a message from its toolbar.
#[derive(Clone)]
enum ActOn {
    React(MessageId, Option<String>),
    Delete(MessageId, bool),
}

#[component]
fn MessageView(
    message: Message,
    me: Signal<Option<crate::model::UserId>>,
    seen: Signal<Option<MessageId>>,
    act: impl Fn(ActOn) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = message.id;
    let sender = message.sender.id;
    let mine = move || me.get() == Some(sender);
    let reactions = message
        .reactions
        .iter()
        .map(|r| r.emoji.clone())
        .collect::<Vec<_>>()
        .join(" ");
    let all = message.reactions.clone();
    let my_emoji = move || {
        all.iter()
            .find(|r| Some(r.user) == me.get())
            .map(|r| r.emoji.clone())
    };
    let deleted = message.deleted;
    let my_emoji_now = my_emoji.clone();
    view! {
        <li class="message" class:mine=mine data-testid="message" data-message-id=id.0.to_string()>
            <div class="bubble">
                {if deleted {
                    view! { <em class="muted">"Message deleted"</em> }.into_any()
                } else {
                    view! { <span class="message-text">{message.text.clone()}</span> }.into_any()
                }}
                {(!reactions.is_empty()).then(|| view! { <span class="message-reactions" data-testid="message-reactions">{reactions.clone()}</span> })}
            </div>
            <div class="message-meta muted small">
                {format_utc(message.created_at)}
                {move || (seen.get() == Some(id)).then(|| view! { <span class="seen" data-testid="seen">" · Seen"</span> })}
            </div>
            {(!deleted).then(move || view! {
                <div class="message-tools">
                    {MESSAGE_EMOJIS.iter().map(|e| {
                        let e = (*e).to_owned();
                        let label = format!("React {e}");
                        let now = my_emoji_now.clone();
                        view! {
                            <button type="button" class="tool" aria-label=label
                                on:click=move |_| act(ActOn::React(id, if now().as_deref() == Some(e.as_str()) { None } else { Some(e.clone()) }))>
                                {e.clone()}
                            </button>
                        }
                    }).collect_view()}
                    <button type="button" class="tool" on:click=move |_| act(ActOn::Delete(id, false))>"Delete for me"</button>
                    <Show when=mine>
                        <button type="button" class="tool danger" on:click=move |_| act(ActOn::Delete(id, true))>"Delete for everyone"</button>
                    </Show>
                </div>
            })}
        </li>
    }
}
