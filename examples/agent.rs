//! A two-turn conversation with a chat model through async-openai, each answer streamed to
//! the terminal token by token, and replayed from `stubs/agent/` with no network and no key:
//!
//! ```text
//! cargo run --example agent
//! ```
//!
//! To record it against a real endpoint (any OpenAI-compatible one):
//!
//! ```text
//! OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=sk-... RECORD=all cargo run --example agent
//! ```
//!
//! The committed stubs were recorded against `cargo run --example local_openai`, which
//! answers these two questions the same way every time.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessageArgs, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessageArgs, ChatCompletionRequestUserMessageArgs,
    ChatCompletionResponseStream, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
};
use cached_stubs::cached_stub;
use futures::StreamExt;
use std::io::Write;

/// The model call: keyed by the whole request (model, messages, options), never by the
/// client, which holds the API key.
#[cached_stub(skip(client), stream)]
async fn stream_reply(
    client: &Client<OpenAIConfig>,
    request: CreateChatCompletionRequest,
) -> Result<ChatCompletionResponseStream, OpenAIError> {
    client.chat().create_stream(request).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `OPENAI_BASE_URL` and `OPENAI_API_KEY` from the environment; replay uses neither.
    let client = Client::with_config(OpenAIConfig::new());
    let mut history: Vec<ChatCompletionRequestMessage> = vec![
        ChatCompletionRequestSystemMessageArgs::default()
            .content("You are a concise naming assistant.")
            .build()?
            .into(),
    ];
    for question in [
        "Suggest a name for a bakery that also sells books.",
        "Now write a one-line slogan for it.",
    ] {
        println!("> {question}");
        history.push(
            ChatCompletionRequestUserMessageArgs::default()
                .content(question)
                .build()?
                .into(),
        );
        let request = CreateChatCompletionRequestArgs::default()
            .model("gpt-4o-mini")
            .messages(history.clone())
            .build()?;
        let mut tokens = stream_reply(&client, request).await?;
        let mut reply = String::new();
        while let Some(chunk) = tokens.next().await {
            for choice in chunk?.choices {
                if let Some(text) = choice.delta.content {
                    print!("{text}");
                    std::io::stdout().flush()?;
                    reply.push_str(&text);
                }
            }
        }
        println!("\n");
        history.push(
            ChatCompletionRequestAssistantMessageArgs::default()
                .content(reply)
                .build()?
                .into(),
        );
    }
    Ok(())
}
