//! Sign up.

use super::auth_form::{FormError, RedirectIfSignedIn, reload_on_success};
use crate::api::SignUp;
use leptos::prelude::*;
use leptos_meta::Title;

/// The sign-up page.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    reload_on_success(move || action.value().get());
    view! {
        <Title text="Sign up · Chatty"/>
        <RedirectIfSignedIn/>
        <section class="card auth">
            <h1>"Join Chatty"</h1>
            <ActionForm action=action attr:class="form">
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" autocomplete="username" required minlength="3" maxlength="30"
                        pattern="[A-Za-z0-9_]+" title="3 to 30 letters, digits or _"/>
                </label>
                <label class="field">
                    <span>"Email"</span>
                    <input name="email" type="email" autocomplete="email" required/>
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input name="password" type="password" autocomplete="new-password" required minlength="8"/>
                </label>
                <FormError error=Signal::derive(move || action.value().get().and_then(Result::err))/>
                <button class="button primary" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating account…" } else { "Sign up" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
