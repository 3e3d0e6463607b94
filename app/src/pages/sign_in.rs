//! Sign in.

use super::auth_form::{FormError, RedirectIfSignedIn, reload_on_success};
use crate::api::SignIn;
use leptos::prelude::*;
use leptos_meta::Title;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    reload_on_success(move || action.value().get());
    view! {
        <Title text="Sign in · Chatty"/>
        <RedirectIfSignedIn/>
        <section class="card auth">
            <h1>"Welcome back"</h1>
            <ActionForm action=action attr:class="form">
                <label class="field">
                    <span>"Username or email"</span>
                    <input name="username" autocomplete="username" required maxlength="254"/>
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input name="password" type="password" autocomplete="current-password" required/>
                </label>
                <FormError error=Signal::derive(move || action.value().get().and_then(Result::err))/>
                <button class="button primary" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}
