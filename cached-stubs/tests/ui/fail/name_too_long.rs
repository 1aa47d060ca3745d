use cached_stubs::cached_stub;

#[cached_stub]
fn a_function_whose_name_is_longer_than_a_folder_name_may_be_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx(prompt: &str) -> String {
    prompt.to_string()
}

fn main() {}
