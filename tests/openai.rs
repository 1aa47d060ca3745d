//! The real async-openai client against an OpenAI-compatible server on 127.0.0.1: a streamed
//! chat completion and a plain one are recorded through the client, then replayed with the
//! client pointed at a closed port.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestUserMessageArgs, ChatCompletionResponseStream, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse, FunctionObjectArgs,
};
use cached_stubs::cached_stub;
use cached_stubs_suite::{OpenAiServer, Scenario, files_below};
use futures::StreamExt;
use serde_json::{Value, json};
use std::path::Path;

/// async-openai's streaming call, as an application would wrap it.
#[cached_stub(skip(client), stream)]
async fn stream_chat(
    client: &Client<OpenAIConfig>,
    request: CreateChatCompletionRequest,
) -> Result<ChatCompletionResponseStream, OpenAIError> {
    client.chat().create_stream(request).await
}

/// async-openai's plain call.
#[cached_stub(skip(client))]
async fn chat(
    client: &Client<OpenAIConfig>,
    request: CreateChatCompletionRequest,
) -> Result<CreateChatCompletionResponse, OpenAIError> {
    client.chat().create(request).await
}

fn request(prompt: &str) -> CreateChatCompletionRequest {
    let message = ChatCompletionRequestUserMessageArgs::default()
        .content(prompt)
        .build()
        .unwrap();
    CreateChatCompletionRequestArgs::default()
        .model("gpt-4o-mini")
        .messages([message.into()])
        .build()
        .unwrap()
}

const FIRST: &str = "Suggest a name for a bakery that also sells books.";
const SECOND: &str = "Now write a one-line slogan for it.";

/// Streams one answer and asks for another through a client configured from the environment
/// (`OPENAI_BASE_URL`, `OPENAI_API_KEY`), and writes what it received to `RECEIVED`.
#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_chats() {
    let client = Client::with_config(OpenAIConfig::new());
    let stream = stream_chat(&client, request(FIRST)).await.unwrap();
    let chunks: Vec<CreateChatCompletionStreamResponse> =
        stream.map(Result::unwrap).collect().await;
    let completion = chat(&client, request(SECOND)).await.unwrap();
    let received = json!({ "chunks": chunks, "completion": completion });
    let path = std::env::var_os("RECEIVED").expect("the parent test sets RECEIVED");
    std::fs::write(path, received.to_string()).unwrap();
}

fn received(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_real_client_records_through_a_server_and_replays_without_one() {
    let server = OpenAiServer::start();
    let (scenario, out) = (Scenario::new(), tempfile::tempdir().unwrap());
    let child = |base_url: String, received: &str| {
        scenario
            .child("child_chats")
            .env("OPENAI_BASE_URL", base_url)
            .env("OPENAI_API_KEY", "local")
            .env("RECEIVED", out.path().join(received))
    };

    child(server.base_url(), "recorded.json")
        .record("1")
        .run()
        .success();
    assert_eq!(server.requests_served(), 2);
    child(OpenAiServer::unreachable_base_url(), "replayed.json")
        .run()
        .success();
    assert_eq!(server.requests_served(), 2, "the replay reached the server");

    let (recorded, replayed) = (
        received(&out.path().join("recorded.json")),
        received(&out.path().join("replayed.json")),
    );
    assert_eq!(
        recorded, replayed,
        "the replay differs from what the server sent"
    );
    let chunks = recorded["chunks"].as_array().unwrap();
    assert_eq!(
        cached_stubs_suite::streamed_text(chunks),
        cached_stubs_suite::answer(&[json!({"role": "user", "content": FIRST})])
    );
    assert!(
        chunks.len() > 10,
        "the answer came in {} chunks",
        chunks.len()
    );
    assert_eq!(
        recorded["completion"]["choices"][0]["message"]["content"],
        cached_stubs_suite::answer(&[json!({"role": "user", "content": SECOND})])
    );

    // One stub per function; the streamed one holds every chunk as an item.
    let files = files_below(&scenario.folder("openai"));
    let folders: Vec<_> = files
        .keys()
        .map(|path| path.parent().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(folders, ["chat", "stream_chat"]);
    let streamed: Value = serde_json::from_slice(files.values().nth(1).unwrap()).unwrap();
    assert_eq!(streamed["items"].as_array().unwrap().len(), chunks.len());
    assert_eq!(streamed["args"]["request"]["messages"][0]["content"], FIRST);
}

/// A request offering a tool, described as `TOOL_DESCRIPTION` says.
#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_chats_with_a_tool() {
    let client = Client::with_config(OpenAIConfig::new());
    let description = std::env::var("TOOL_DESCRIPTION").unwrap();
    let function = FunctionObjectArgs::default()
        .name("weather")
        .description(description)
        .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}}))
        .build()
        .unwrap();
    let mut request = request(FIRST);
    request.tools = Some(vec![ChatCompletionTools::Function(ChatCompletionTool {
        function,
    })]);
    chat(&client, request).await.unwrap();
}

#[test]
fn a_miss_on_a_large_request_shows_the_value_that_differs_and_where() {
    let server = OpenAiServer::start();
    let scenario = Scenario::new();
    let child = |description: &str| {
        scenario
            .child("child_chats_with_a_tool")
            .env("OPENAI_API_KEY", "local")
            .env("TOOL_DESCRIPTION", description)
    };
    child("Current weather of a city")
        .env("OPENAI_BASE_URL", server.base_url())
        .record("1")
        .run()
        .success();
    let output = child("Current weather in a city")
        .env("OPENAI_BASE_URL", OpenAiServer::unreachable_base_url())
        .run()
        .failure();
    for expected in [
        "the nearest stub differs in `request.tools[0].function.description`:",
        "request.tools[0].function.description: recorded \"Current weather of a city\"",
        "                                        called   \"Current weather in a city\"",
    ] {
        assert!(output.contains(expected), "{expected:?} not in\n{output}");
    }
}
