use cached_stubs::cached_stub;

struct Model {
    name: &'static str,
}

const MODEL: Model = Model { name: "gpt-4o-mini" };

#[cached_stub(depends(MODEL, "v2"))]
fn ask(prompt: &str) -> String {
    format!("{} answers {prompt}", MODEL.name)
}

fn main() {}
