-- Headless Neovim as a third-party LSP client of the irqtopo language server:
--   nvim --headless --clean -c 'luafile test/nvim/check.lua'
-- Opens an example with a layering error, waits for the diagnostics, asks for a hover, and
-- exits 0 when both arrived as expected (1 otherwise). Environment:
--   IRQTOPO_ROOT    the repository (default: the current directory)
--   IRQTOPO_SERVER  the server command (default: node $IRQTOPO_ROOT/dist/server.js --stdio)
local root = os.getenv('IRQTOPO_ROOT') or vim.fn.getcwd()
local server = os.getenv('IRQTOPO_SERVER')
local cmd = server and vim.split(server, ' ') or { 'node', root .. '/dist/server.js', '--stdio' }
local file = root .. '/examples/ims-under-pci-msi.irqtopo'

local function fail(msg)
  io.stdout:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit! 1')
end

vim.cmd([[autocmd BufRead,BufNewFile *.irqtopo setfiletype irqtopo]])
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
if vim.bo[bufnr].filetype ~= 'irqtopo' then fail('filetype not set') end

local config = { name = 'irqtopo', cmd = cmd, root_dir = root }
local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config) -- Neovim 0.8+
else
  client_id = vim.lsp.start_client(config) -- Neovim 0.7
  if client_id then vim.lsp.buf_attach_client(bufnr, client_id) end
end
if not client_id then fail('the server did not start') end

local ok = vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
if not ok then fail('no diagnostics within 15 s') end

local found = false
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  io.stdout:write(string.format('diagnostic %d:%d %s %s\n', d.lnum + 1, d.col + 1, tostring(code), d.message:sub(1, 80)))
  if code == 'ims-parent-pci-msi' then found = true end
end
if not found then fail('ims-parent-pci-msi not among the diagnostics') end

-- hover on the IR unit's name in `domain IR-0 : remap`
local line
for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
  if l:match('^domain IR%-0 : remap') then line = i - 1 break end
end
if not line then fail('domain IR-0 not found') end
local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = 8 } }
local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000)
local text
for _, r in pairs(results or {}) do
  if r.result and r.result.contents then text = r.result.contents.value or r.result.contents end
end
if type(text) ~= 'string' then fail('no hover') end
io.stdout:write('hover: ' .. text:gsub('\n', ' | '):sub(1, 1000) .. '\n')
if not text:find('Parent chain: IR%-0 → VECTOR') then fail('the hover has no parent chain') end

io.stdout:write('OK\n')
vim.cmd('qall!')
